/** 卫星链路: the satellite terminals (vehicle Ku, fixed VSAT, Ka portable) over time. */
import { ALARM_MAPPINGS, LOCK_MAPPINGS, YES_NO_MAPPINGS } from "./common.ts";
import { byThresholds, dashboard, influx, lines, prom, SEL, steps, tiles, WHERE } from "./panels.ts";

const series = (field: string, measurement: string) =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
    { alias: "$tag_device" },
  );
const now = (metric: string, legend = "{{device}}") => prom(`${metric}{${SEL}}`, legend, { instant: true });

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
        tiles(now("emcomm_modem_rx_locked"))
          .title("解调锁定")
          .description("Demodulator lock (modem_rx_locked).")
          .span(6)
          .height(4)
          .mappings(LOCK_MAPPINGS),
        tiles(now("emcomm_antenna_sat_locked"), now("emcomm_ka_sat_locked"))
          .title("天线锁星")
          .description("Antenna tracking lock (antenna_sat_locked) and Ka station lock (ka_sat_locked).")
          .span(6)
          .height(4)
          .mappings(LOCK_MAPPINGS),
        tiles(now("emcomm_modem_tx_on"), now("emcomm_ka_tx_on"))
          .title("发射")
          .description("Transmitter on (modem_tx_on, ka_tx_on).")
          .span(6)
          .height(4)
          .mappings(YES_NO_MAPPINGS),
        tiles(
          now("emcomm_buc_summary_alarm"),
          now("emcomm_modem_buc_alarm", "{{device}} BUC"),
          now("emcomm_modem_lnb_alarm", "{{device}} LNB"),
        )
          .title("BUC/LNB 告警")
          .description(
            "BUC summary alarm (buc_summary_alarm) and the modem's BUC/LNB alarms (modem_buc_alarm, modem_lnb_alarm).",
          )
          .span(6)
          .height(4)
          .mappings(ALARM_MAPPINGS),
      ],
    },
    {
      title: "链路质量 Link quality",
      panels: [
        lines(series("modem_ebno_db", "modem"), series("ka_ebno_db", "ka"))
          .title("信噪比 Eb/No")
          .description("Receive Eb/No per modem (modem_ebno_db); the alert floor is 6 dB.")
          .span(12)
          .height(8)
          .unit("dB")
          .thresholds(steps([null, "red"], [6, "green"]))
          .colorScheme(byThresholds),
        lines(series("modem_rx_level_dbm", "modem"))
          .title("接收电平")
          .description("Receive level per modem (modem_rx_level_dbm).")
          .span(12)
          .height(8)
          .unit("dBm"),
        lines(series("modem_link_margin_db", "modem"))
          .title("链路余量")
          .description("Link margin (modem_link_margin_db).")
          .span(8)
          .height(8)
          .unit("dB"),
        lines(series("modem_ber_ratio", "modem"))
          .title("误码率")
          .description("Bit error ratio (modem_ber_ratio), log scale.")
          .span(8)
          .height(8)
          .unit("sci"),
        lines(series("modem_freq_offset_hz", "modem"))
          .title("频偏")
          .description("Receive frequency offset (modem_freq_offset_hz).")
          .span(8)
          .height(8)
          .unit("hertz"),
      ],
    },
    {
      title: "射频与天线 RF and antenna",
      panels: [
        lines(series("buc_output_power_dbm", "buc"), series("modem_tx_power_dbm", "modem"))
          .title("BUC 输出功率")
          .description("BUC output power (buc_output_power_dbm) and modem TX power (modem_tx_power_dbm).")
          .span(8)
          .height(8)
          .unit("dBm"),
        lines(series("buc_temperature_celsius", "buc"), series("modem_temperature_celsius", "modem"))
          .title("温度")
          .description("BUC and modem temperature (buc_temperature_celsius, modem_temperature_celsius).")
          .span(8)
          .height(8)
          .unit("celsius"),
        lines(series("antenna_azimuth_degrees", "antenna"), series("antenna_elevation_degrees", "antenna"))
          .title("天线指向")
          .description("Antenna azimuth and elevation (antenna_azimuth_degrees, antenna_elevation_degrees).")
          .span(8)
          .height(8)
          .unit("degree"),
      ],
    },
  ],
});
