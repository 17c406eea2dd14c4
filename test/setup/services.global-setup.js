// Starts the real Kafka and InfluxDB servers for integration tests (scripts/services).
// Filled in by the services work; until then integration tests have none to start.
module.exports = async function globalSetup() {};
