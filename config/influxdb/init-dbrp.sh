#!/bin/sh
# Runs once, when the InfluxDB 2 container sets itself up (docker-compose): maps the v1 database
# `emcomm` (retention policy `autogen`) to the bucket `emcomm`, so Grafana's InfluxQL panels and any
# v1 client query the bucket as they would an InfluxDB 1.x database.
set -eu
bucket_id=$(influx bucket find --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --org "${DOCKER_INFLUXDB_INIT_ORG}" --hide-headers | cut -f1)
influx v1 dbrp create --db emcomm --rp autogen --bucket-id "${bucket_id}" --default --org "${DOCKER_INFLUXDB_INIT_ORG}"
