#!/usr/bin/env bash
# Provisions (first run only) and starts the local Kafka and InfluxDB, waits until both answer,
# and writes their addresses to $FLEETFM_RUN_DIR/services.json. Idempotent: servers already up
# and healthy are reused.
#   up.sh            both
#   up.sh kafka      only Kafka (likewise: up.sh influx)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

services=("$@")
((${#services[@]})) || services=(kafka influx)
for service in "${services[@]}"; do
  case "$service" in
    kafka | influx) bash "$SERVICES_DIR/$service.sh" start ;;
    *) die "unknown service '$service' (expected kafka or influx)" ;;
  esac
done

write_services_json
log "ready; addresses in $SERVICES_JSON"
log "  KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
log "  INFLUX_URL=http://127.0.0.1:$INFLUX_PORT"
log "  INFLUX_TOKEN=$INFLUX_TOKEN_VALUE INFLUX_ORG=- INFLUX_BUCKET=$INFLUX_DB/autogen"
