#!/usr/bin/env bash
# Stops the local Kafka and InfluxDB started by up.sh (by their pid files) and waits for exit.
# Data stays in $FLEETFM_RUN_DIR; delete kafka-data/ and influx-data/ there for a clean slate.
#   down.sh          both
#   down.sh influx   only InfluxDB (likewise: down.sh kafka)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

services=("$@")
((${#services[@]})) || services=(influx kafka)
status=0
for service in "${services[@]}"; do
  case "$service" in
    kafka | influx) bash "$SERVICES_DIR/$service.sh" stop || status=1 ;;
    *) die "unknown service '$service' (expected kafka or influx)" ;;
  esac
done
exit "$status"
