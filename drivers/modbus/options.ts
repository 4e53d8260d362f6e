/**
 * The `driver:` block of a Modbus device. Strict: unknown keys are errors. Defaults live here.
 *
 *   transport  tcp (Modbus TCP, MBAP framing; default), rtu-over-tcp (RTU frames through a
 *              serial-to-Ethernet gateway in transparent mode), rtu (a local serial port)
 *   host/port  tcp and rtu-over-tcp (port default 502)
 *   serial     rtu: { path, baudRate (9600), parity (none), dataBits (8), stopBits (1) }
 *   unitId     Modbus unit (slave) id, default 1
 *   maxRegistersPerRead  largest read the device accepts (protocol max 125, the default)
 *   maxGap     unused registers a read may span to join two ranges (default: the profile's, else 0)
 *   interFrameGap   quiet time on the bus between two requests (default "0ms"; RTU at 9600 baud
 *              needs about "4ms")
 *   requestTimeout  deadline of one request (default "1s"); one dead unit costs the others on its
 *              bus at most this much per poll, because its poll stops at the first timeout
 * Devices that name the same host:port (or serial path) share one connection, polled one
 * request at a time; the first device to open the bus sets its serial settings and gap.
 */
import { z } from "zod";
import { duration } from "../../src/config/duration.ts";
import { modbusProfileNames } from "./profiles/index.ts";

export const modbusOptions = z
  .strictObject({
    protocol: z.literal("modbus"),
    profile: z.enum(modbusProfileNames),
    transport: z.enum(["tcp", "rtu-over-tcp", "rtu"]).default("tcp"),
    host: z.string().min(1, "a host name or address").optional(),
    port: z.number().int().min(1).max(65535).default(502),
    serial: z
      .strictObject({
        path: z.string().min(1, "a serial device path like /dev/ttyUSB0"),
        baudRate: z.number().int().min(300).max(921_600).default(9600),
        parity: z.enum(["none", "even", "odd"]).default("none"),
        dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
        stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
      })
      .optional(),
    unitId: z.number().int().min(0).max(255).default(1),
    maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
    maxGap: z.number().int().min(0).max(124).optional(),
    interFrameGap: duration().prefault("0ms"),
    requestTimeout: duration("10ms").prefault("1s"),
  })
  .superRefine((o, ctx) => {
    if (o.transport === "rtu" && !o.serial)
      ctx.addIssue({ code: "custom", path: ["serial"], message: "transport rtu needs serial: { path }" });
    if (o.transport === "rtu" && o.host !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: "transport rtu uses serial.path, not host",
        input: o.host,
      });
    if (o.transport !== "rtu" && o.host === undefined)
      ctx.addIssue({ code: "custom", path: ["host"], message: `transport ${o.transport} needs a host` });
    if (o.transport !== "rtu" && o.serial)
      ctx.addIssue({
        code: "custom",
        path: ["serial"],
        message: `transport ${o.transport} takes host/port, not serial`,
      });
  });

export type ModbusOptions = z.output<typeof modbusOptions>;

/** The shared-bus key and a printable target: "modbus tcp 127.0.0.1:502". */
export function busOf(o: ModbusOptions): { key: string; target: string } {
  const where = o.transport === "rtu" ? o.serial!.path : `${o.host}:${o.port}`;
  return { key: `modbus:${o.transport}:${where}`, target: `modbus ${o.transport} ${where}` };
}
