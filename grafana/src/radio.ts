/** 无线通信: 370 MHz trunking (PDT), mesh, video terminals and the Beidou terminals on a map. */
import { YES_NO_MAPPINGS } from "./common.ts";
import { dashboard, influx, prom, SEL, table, tiles, timeseries, WHERE } from "./lib.ts";

const series = (field: string, measurement: string) =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
  );

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
        tiles({
          title: "射频/中转",
          description: "Radio enabled and repeating (pdt_radio_enabled, pdt_repeating).",
          targets: [
            prom(`emcomm_pdt_radio_enabled{${SEL}}`, "{{device}} 射频", { instant: true }),
            prom(`emcomm_pdt_repeating{${SEL}}`, "{{device}} 中转", { instant: true }),
          ],
          w: 8,
          h: 5,
          mappings: YES_NO_MAPPINGS,
        }),
        timeseries({
          title: "前向功率/驻波比",
          description:
            "Forward power and VSWR (pdt_forward_power_watts, pdt_vswr_ratio); VSWR above 2 needs the antenna checked.",
          targets: [series("pdt_forward_power_watts", "pdt"), series("pdt_vswr_ratio", "pdt")],
          w: 8,
          h: 5,
        }),
        timeseries({
          title: "功放温度/电源电压",
          description: "PA temperature and supply voltage (pdt_pa_temperature_celsius, pdt_supply_volts).",
          targets: [series("pdt_pa_temperature_celsius", "pdt"), series("pdt_supply_volts", "pdt")],
          w: 8,
          h: 5,
        }),
      ],
    },
    {
      title: "视频终端 Video terminals",
      panels: [
        tiles({
          title: "注册/通话",
          description: "Video terminals registered and in a call (vc_registered, vc_in_call).",
          targets: [
            prom(`emcomm_vc_registered{${SEL}}`, "{{device}} 注册", { instant: true }),
            prom(`emcomm_vc_in_call{${SEL}}`, "{{device}} 通话", { instant: true }),
          ],
          w: 12,
          h: 5,
          mappings: YES_NO_MAPPINGS,
        }),
        tiles({
          title: "摄像头/麦克风",
          description: "Camera and microphone present (vc_camera_present, vc_microphone_present).",
          targets: [
            prom(`emcomm_vc_camera_present{${SEL}}`, "{{device}} 摄像头", { instant: true }),
            prom(`emcomm_vc_microphone_present{${SEL}}`, "{{device}} 麦克风", { instant: true }),
          ],
          w: 12,
          h: 5,
          mappings: YES_NO_MAPPINGS,
        }),
      ],
    },
    {
      title: "北斗终端 Beidou terminals",
      panels: [
        {
          type: "geomap",
          title: "北斗终端位置",
          description:
            "Last reported position of each Beidou terminal (beidou_latitude_degrees, beidou_longitude_degrees).",
          targets: [
            influx(
              `SELECT last("beidou_latitude_degrees") AS "latitude", last("beidou_longitude_degrees") AS "longitude" FROM "beidou" WHERE ${WHERE} GROUP BY "device"`,
              { table: true },
            ),
          ],
          w: 14,
          h: 14,
          options: {
            view: { id: "fit", lat: 0, lon: 0, zoom: 10 },
            controls: { showZoom: true, mouseWheelZoom: true },
            basemap: { type: "default", name: "底图 basemap" },
            layers: [
              {
                type: "markers",
                name: "北斗终端 terminals",
                location: { mode: "coords", latitude: "latitude", longitude: "longitude" },
                config: {
                  showLegend: false,
                  style: {
                    size: { fixed: 8 },
                    color: { fixed: "green" },
                    text: { field: "device", mode: "field" },
                  },
                },
                tooltip: true,
              },
            ],
          },
        },
        table({
          title: "北斗终端状态",
          description:
            "Fix, satellites used, battery, RDSS and the age of the last report per terminal (beidou_fix, beidou_sats_used, beidou_battery_percent, beidou_rdss_ok, beidou_report_age_seconds).",
          targets: [
            prom(`emcomm_beidou_fix{${SEL}}`, "fix", { instant: true, table: true }),
            prom(`emcomm_beidou_sats_used{${SEL}}`, "sats", { instant: true, table: true }),
            prom(`emcomm_beidou_battery_percent{${SEL}}`, "battery", { instant: true, table: true }),
            prom(`emcomm_beidou_rdss_ok{${SEL}}`, "rdss", { instant: true, table: true }),
            prom(`emcomm_beidou_report_age_seconds{${SEL}}`, "age", { instant: true, table: true }),
          ],
          w: 10,
          h: 14,
          transformations: [
            { id: "merge", options: {} },
            {
              id: "organize",
              options: { excludeByName: { Time: true, job: true, instance: true, service: true } },
            },
          ],
        }),
      ],
    },
  ],
});
