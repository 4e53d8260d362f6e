/** 卫星链路: the satellite terminals (vehicle Ku, fixed VSAT, Ka portable) over time. */
import { ALARM_MAPPINGS, LOCK_MAPPINGS, YES_NO_MAPPINGS } from "./common.ts";
import { dashboard, influx, prom, SEL, tiles, timeseries, WHERE } from "./lib.ts";

const series = (field: string, measurement: string) =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
    { alias: "$tag_device" },
  );

export const satellite = dashboard({
  uid: "emcomm-satellite",
  title: "卫星链路",
  description:
    "Satellite links: modem lock, Eb/No, receive level, link margin, BER, BUC output and alarms, antenna pointing, Ka station.",
  tags: ["satellite"],
  rows: [
    {
      title: "当前状态 Now",
      panels: [
        tiles({
          title: "解调锁定",
          description: "Demodulator lock (modem_rx_locked).",
          targets: [prom(`emcomm_modem_rx_locked{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 4,
          mappings: LOCK_MAPPINGS,
        }),
        tiles({
          title: "天线锁星",
          description: "Antenna tracking lock (antenna_sat_locked) and Ka station lock (ka_sat_locked).",
          targets: [
            prom(`emcomm_antenna_sat_locked{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_ka_sat_locked{${SEL}}`, "{{device}}", { instant: true }),
          ],
          w: 6,
          h: 4,
          mappings: LOCK_MAPPINGS,
        }),
        tiles({
          title: "发射",
          description: "Transmitter on (modem_tx_on, ka_tx_on).",
          targets: [
            prom(`emcomm_modem_tx_on{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_ka_tx_on{${SEL}}`, "{{device}}", { instant: true }),
          ],
          w: 6,
          h: 4,
          mappings: YES_NO_MAPPINGS,
        }),
        tiles({
          title: "BUC/LNB 告警",
          description:
            "BUC summary alarm (buc_summary_alarm) and the modem's BUC/LNB alarms (modem_buc_alarm, modem_lnb_alarm).",
          targets: [
            prom(`emcomm_buc_summary_alarm{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_modem_buc_alarm{${SEL}}`, "{{device}} BUC", { instant: true }),
            prom(`emcomm_modem_lnb_alarm{${SEL}}`, "{{device}} LNB", { instant: true }),
          ],
          w: 6,
          h: 4,
          mappings: ALARM_MAPPINGS,
        }),
      ],
    },
    {
      title: "链路质量 Link quality",
      panels: [
        timeseries({
          title: "信噪比 Eb/No",
          description: "Receive Eb/No per modem (modem_ebno_db); the alert floor is 6 dB.",
          targets: [series("modem_ebno_db", "modem"), series("ka_ebno_db", "ka")],
          w: 12,
          h: 8,
          unit: "dB",
          thresholds: [
            [null, "red"],
            [6, "green"],
          ],
        }),
        timeseries({
          title: "接收电平",
          description: "Receive level per modem (modem_rx_level_dbm).",
          targets: [series("modem_rx_level_dbm", "modem")],
          w: 12,
          h: 8,
          unit: "dBm",
        }),
        timeseries({
          title: "链路余量",
          description: "Link margin (modem_link_margin_db).",
          targets: [series("modem_link_margin_db", "modem")],
          w: 8,
          h: 8,
          unit: "dB",
        }),
        timeseries({
          title: "误码率",
          description: "Bit error ratio (modem_ber_ratio), log scale.",
          targets: [series("modem_ber_ratio", "modem")],
          w: 8,
          h: 8,
          unit: "sci",
        }),
        timeseries({
          title: "频偏",
          description: "Receive frequency offset (modem_freq_offset_hz).",
          targets: [series("modem_freq_offset_hz", "modem")],
          w: 8,
          h: 8,
          unit: "hertz",
        }),
      ],
    },
    {
      title: "射频与天线 RF and antenna",
      panels: [
        timeseries({
          title: "BUC 输出功率",
          description: "BUC output power (buc_output_power_dbm) and modem TX power (modem_tx_power_dbm).",
          targets: [series("buc_output_power_dbm", "buc"), series("modem_tx_power_dbm", "modem")],
          w: 8,
          h: 8,
          unit: "dBm",
        }),
        timeseries({
          title: "温度",
          description: "BUC and modem temperature (buc_temperature_celsius, modem_temperature_celsius).",
          targets: [series("buc_temperature_celsius", "buc"), series("modem_temperature_celsius", "modem")],
          w: 8,
          h: 8,
          unit: "celsius",
        }),
        timeseries({
          title: "天线指向",
          description: "Antenna azimuth and elevation (antenna_azimuth_degrees, antenna_elevation_degrees).",
          targets: [
            series("antenna_azimuth_degrees", "antenna"),
            series("antenna_elevation_degrees", "antenna"),
          ],
          w: 8,
          h: 8,
          unit: "degree",
        }),
      ],
    },
  ],
});
