/**
 * Satellite modem, vendor-neutral. The Haige D/WT-2D has no public MIB: this map is modelled on the
 * Newtec NEWTEC-MULTI-DEMOD-MIB (demod 1) and NEWTEC-MORFBUC-MIB; objects Newtec has no equivalent
 * for sit under 1.3.6.1.4.1.32473 (RFC 5612 documentation enterprise). ALL OIDs AND SCALES HERE ARE
 * ASSUMPTIONS: point `driver.oids` at the real ones. Link drop = receive unlock or Eb/No below its
 * critical threshold (the far end unreachable is the upstream device's own state).
 */
import { type Block, gauge, rule } from "../profile.ts";

const NTC = "1.3.6.1.4.1.5835.5.2.3300.1";
/** RFC 5612 example enterprise: the placeholder arc for objects no public MIB gives. */
export const EXAMPLE = "1.3.6.1.4.1.32473";

export const MODEM = {
  almNoLock: `${NTC}.1.4.0`, // off(0) = locked, on(1) = no lock
  almLnbPowerControl: `${NTC}.1.5.0`, // off(0)/on(1)
  ebno: `${NTC}.5.1.18.1`, // Integer32, 0.01 dB [assumption]
  rxLevel: `${NTC}.5.1.3.1`, // 0.1 dBm [assumption], -1000 = unreliably low
  linkMargin: `${NTC}.5.1.19.1`, // 0.01 dB [assumption]
  ber: `${NTC}.5.1.17.1`, // [assumption] BER × 1e9 as Gauge32
  freqOffset: `${NTC}.5.1.9.1`, // Hz [assumption: integer, not Float32TC]
  bucAlarm: "1.3.6.1.4.1.5835.5.2.10000.1.1.1.0", // ntcMoRfBucHardware off(0)/on(1)
  txOn: `${EXAMPLE}.1.1.1.0`, // off(0)/on(1) [assumption]
  txPower: `${EXAMPLE}.1.1.2.0`, // 0.1 dBm [assumption]
  temperature: `${EXAMPLE}.1.1.3.0`, // °C [assumption]
} as const;

export function satelliteModem(): Block {
  return {
    name: "satelliteModem",
    metrics: [
      gauge("modem_rx_locked", "bool", "Demodulator locked (ntcMultiDemodAlmNoLock off)."),
      gauge("modem_ebno_db", "dB", "Received Eb/No."),
      gauge("modem_rx_level_dbm", "dBm", "Received carrier level."),
      gauge("modem_link_margin_db", "dB", "Eb/No above the MODCOD's threshold."),
      gauge("modem_tx_on", "bool", "Transmit carrier on."),
      gauge("modem_tx_power_dbm", "dBm", "Transmit power level."),
      gauge("modem_ber_ratio", "ratio", "Bit error ratio after FEC."),
      gauge("modem_freq_offset_hz", "Hz", "Receive carrier frequency offset (LNB drift)."),
      gauge("modem_buc_alarm", "bool", "BUC alarm seen by the modem."),
      gauge("modem_lnb_alarm", "bool", "LNB power/lock alarm."),
      gauge("modem_temperature_celsius", "°C", "Unit temperature."),
    ],
    scalars: [
      { metric: "modem_rx_locked", oid: MODEM.almNoLock, map: { 0: 1, 1: 0 } },
      { metric: "modem_ebno_db", oid: MODEM.ebno, scale: 0.01 },
      { metric: "modem_rx_level_dbm", oid: MODEM.rxLevel, scale: 0.1 },
      { metric: "modem_link_margin_db", oid: MODEM.linkMargin, scale: 0.01, required: false },
      { metric: "modem_tx_on", oid: MODEM.txOn, map: { 0: 0, 1: 1 } },
      { metric: "modem_tx_power_dbm", oid: MODEM.txPower, scale: 0.1, required: false },
      { metric: "modem_ber_ratio", oid: MODEM.ber, scale: 1e-9, required: false },
      { metric: "modem_freq_offset_hz", oid: MODEM.freqOffset, required: false },
      { metric: "modem_buc_alarm", oid: MODEM.bucAlarm, required: false },
      { metric: "modem_lnb_alarm", oid: MODEM.almLnbPowerControl, required: false },
      { metric: "modem_temperature_celsius", oid: MODEM.temperature, required: false },
    ],
    rules: [
      rule(
        "rx_unlock",
        "down",
        "modem_rx_locked",
        "==",
        0,
        "接收失锁（链路中断）",
        "Receive unlocked (link drop)",
        {
          linkDrop: true,
        },
      ),
      rule(
        "ebno_critical",
        "down",
        "modem_ebno_db",
        "<",
        4,
        "Eb/No低于4 dB（链路中断）",
        "Eb/No below 4 dB (link drop)",
        {
          linkDrop: true,
        },
      ),
      rule(
        "rx_level_lost",
        "down",
        "modem_rx_level_dbm",
        "<=",
        -100,
        "接收电平过低（无信号）",
        "No receive signal",
        {
          linkDrop: true,
        },
      ),
      rule("tx_off", "down", "modem_tx_on", "==", 0, "发射载波关闭", "Transmit carrier off"),
      rule("buc_alarm", "down", "modem_buc_alarm", "==", 1, "BUC告警", "BUC alarm"),
      rule("lnb_alarm", "down", "modem_lnb_alarm", "==", 1, "LNB告警", "LNB alarm", { linkDrop: true }),
      rule("ebno_low", "degraded", "modem_ebno_db", "<", 6, "Eb/No低于6 dB", "Eb/No below 6 dB"),
      rule(
        "margin_low",
        "degraded",
        "modem_link_margin_db",
        "<",
        1,
        "链路余量小于1 dB",
        "Link margin below 1 dB",
      ),
      rule("ber_high", "degraded", "modem_ber_ratio", ">", 1e-7, "误码率过高", "BER above 1e-7"),
      rule(
        "temperature_high",
        "degraded",
        "modem_temperature_celsius",
        ">",
        55,
        "调制解调器温度过高",
        "Modem above 55 °C",
      ),
    ],
  };
}
