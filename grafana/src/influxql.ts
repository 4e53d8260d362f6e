/**
 * InfluxQL queries for Grafana's InfluxDB datasource, which the foundation SDK does not ship: a
 * query type and its builder written the way the SDK documents for datasources it lacks, so
 * panels take them like any other query. Fields are what Grafana's InfluxDB query editor saves
 * for a raw query.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type * as common from "@grafana/grafana-foundation-sdk/common";

export interface InfluxqlQuery {
  refId?: string;
  hide?: boolean;
  datasource?: common.DataSourceRef;
  /** The InfluxQL text; Grafana fills `$timeFilter`, `$__interval` and the variables. */
  query: string;
  rawQuery: true;
  resultFormat: "time_series" | "table";
  /** Series name pattern (`$tag_device`, `$col`). */
  alias?: string;
  _implementsDataqueryVariant(): void;
}

export class InfluxqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxqlQuery;

  constructor(query: string) {
    this.internal = { query, rawQuery: true, resultFormat: "time_series", _implementsDataqueryVariant() {} };
  }

  build(): InfluxqlQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  datasource(datasource: common.DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  resultFormat(format: InfluxqlQuery["resultFormat"]): this {
    this.internal.resultFormat = format;
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }
}
