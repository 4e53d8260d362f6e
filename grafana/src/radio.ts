/** 无线通信: 370 MHz trunking (PDT), mesh, video terminals and the Beidou terminals on a map. */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as geomap from "@grafana/grafana-foundation-sdk/geomap";
import { YES_NO_MAPPINGS } from "./common.ts";
import {
  dashboard,
  grid,
  INFLUX,
  influx,
  lines,
  organize,
  prom,
  queries,
  SEL,
  tiles,
  WHERE,
} from "./panels.ts";

const series = (field: string, measurement: string) =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
  );
const now = (metric: string, legend: string) => prom(`${metric}{${SEL}}`, legend, { instant: true });

/** The Beidou terminals' last positions as green markers named after the device. */
const beidouMap = new geomap.PanelBuilder()
  .datasource(INFLUX)
  .targets(
    queries(
      influx(
        `SELECT last("beidou_latitude_degrees") AS "latitude", last("beidou_longitude_degrees") AS "longitude" FROM "beidou" WHERE ${WHERE} GROUP BY "device"`,
        { table: true },
      ),
    ),
  )
  .view(new geomap.MapViewConfigBuilder().id("fit").lat(0).lon(0).zoom(10))
  .controls(new geomap.ControlsOptionsBuilder().showZoom(true).mouseWheelZoom(true))
  .basemap(new common.MapLayerOptionsBuilder().type("default").name("底图 basemap"))
  .layers([
    new common.MapLayerOptionsBuilder()
      .type("markers")
      .name("北斗终端 terminals")
      .location(
        new common.FrameGeometrySourceBuilder()
          .mode(common.FrameGeometrySourceMode.Coords)
          .latitude("latitude")
          .longitude("longitude"),
      )
      .config({
        showLegend: false,
        style: {
          size: { fixed: 8 },
          color: { fixed: "green" },
          text: { field: "device", mode: "field" },
        },
      })
      .tooltip(true),
  ])
  .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details));

export const radio = dashboard({
  uid: "emcomm-radio",
  title: "无线通信",
  description:
    "Radio: PDT trunking base stations, video terminals, and the Beidou field terminals with their last positions on a map.",
  tags: ["radio"],
  rows: [
    {
      title: "集群基站 Trunking base stations",
      panels: [
        tiles(
          now("emcomm_pdt_radio_enabled", "{{device}} 射频"),
          now("emcomm_pdt_repeating", "{{device}} 中转"),
        )
          .title("射频/中转")
          .description("Radio enabled and repeating (pdt_radio_enabled, pdt_repeating).")
          .span(8)
          .height(5)
          .mappings(YES_NO_MAPPINGS),
        lines(series("pdt_forward_power_watts", "pdt"), series("pdt_vswr_ratio", "pdt"))
          .title("前向功率/驻波比")
          .description(
            "Forward power and VSWR (pdt_forward_power_watts, pdt_vswr_ratio); VSWR above 2 needs the antenna checked.",
          )
          .span(8)
          .height(5),
        lines(series("pdt_pa_temperature_celsius", "pdt"), series("pdt_supply_volts", "pdt"))
          .title("功放温度/电源电压")
          .description("PA temperature and supply voltage (pdt_pa_temperature_celsius, pdt_supply_volts).")
          .span(8)
          .height(5),
      ],
    },
    {
      title: "视频终端 Video terminals",
      panels: [
        tiles(now("emcomm_vc_registered", "{{device}} 注册"), now("emcomm_vc_in_call", "{{device}} 通话"))
          .title("注册/通话")
          .description("Video terminals registered and in a call (vc_registered, vc_in_call).")
          .span(12)
          .height(5)
          .mappings(YES_NO_MAPPINGS),
        tiles(
          now("emcomm_vc_camera_present", "{{device}} 摄像头"),
          now("emcomm_vc_microphone_present", "{{device}} 麦克风"),
        )
          .title("摄像头/麦克风")
          .description("Camera and microphone present (vc_camera_present, vc_microphone_present).")
          .span(12)
          .height(5)
          .mappings(YES_NO_MAPPINGS),
      ],
    },
    {
      title: "北斗终端 Beidou terminals",
      panels: [
        beidouMap
          .title("北斗终端位置")
          .description(
            "Last reported position of each Beidou terminal (beidou_latitude_degrees, beidou_longitude_degrees).",
          )
          .span(14)
          .height(14),
        grid([
          prom(`emcomm_beidou_fix{${SEL}}`, "fix", { instant: true, table: true }),
          prom(`emcomm_beidou_sats_used{${SEL}}`, "sats", { instant: true, table: true }),
          prom(`emcomm_beidou_battery_percent{${SEL}}`, "battery", { instant: true, table: true }),
          prom(`emcomm_beidou_rdss_ok{${SEL}}`, "rdss", { instant: true, table: true }),
          prom(`emcomm_beidou_report_age_seconds{${SEL}}`, "age", { instant: true, table: true }),
        ])
          .title("北斗终端状态")
          .description(
            "Fix, satellites used, battery, RDSS and the age of the last report per terminal (beidou_fix, beidou_sats_used, beidou_battery_percent, beidou_rdss_ok, beidou_report_age_seconds).",
          )
          .span(10)
          .height(14)
          .transformations([{ id: "merge", options: {} }, organize(["Time", "job", "instance", "service"])]),
      ],
    },
  ],
});
