/**
 * The narrow interface the driver uses to talk Modbus, and its modbus-serial implementation.
 * A link is one connection (a TCP socket, a gateway socket or a serial port); the bus
 * (bus.ts) guarantees one request at a time on it. Tests replace it with a scripted link.
 */
import { existsSync } from "node:fs";
import ModbusSerial from "modbus-serial";

import { PollError } from "../../src/core/errors.ts";
import { modbusError } from "./errors.ts";
import type { ModbusOptions } from "./options.ts";
import type { Table } from "./profile.ts";

export interface ModbusLink {
  /**
   * Reads `count` registers (or bits) of `table` at `address` from unit `unitId`; opens the
   * connection first when needed. Rejects with a PollError (timeout, unreachable, device for an
   * exception, protocol for a malformed answer, config for a serial port that does not exist).
   */
  read(
    unitId: number,
    table: Table,
    address: number,
    count: number,
    timeoutMs: number,
  ): Promise<(number | boolean)[]>;
  close(): Promise<void>;
}

/** modbus-serial's CommonJS default export, typed as the client class. */
type ModbusRTU = InstanceType<typeof ModbusSerial.default>;
const Client = ModbusSerial as unknown as new () => ModbusRTU;

export function openModbusLink(o: ModbusOptions, target: string): ModbusLink {
  let client: ModbusRTU | undefined;
  let connecting: Promise<ModbusRTU> | undefined;

  const connect = async (timeoutMs: number): Promise<ModbusRTU> => {
    if (client?.isOpen) return client;
    connecting ??= (async () => {
      const c = new Client();
      c.setTimeout(timeoutMs);
      try {
        if (o.transport === "rtu") {
          const s = o.serial!;
          if (!existsSync(s.path))
            throw new PollError("config", `${target}: serial port ${s.path} does not exist`);
          await c.connectRTUBuffered(s.path, {
            baudRate: s.baudRate,
            parity: s.parity,
            dataBits: s.dataBits,
            stopBits: s.stopBits,
          });
        } else if (o.transport === "rtu-over-tcp") {
          // modbus-serial's "TcpRTUBuffered" port frames with MBAP; its Telnet port sends raw RTU frames.
          await c.connectTelnet(o.host!, { port: o.port, timeout: timeoutMs });
        } else {
          await c.connectTCP(o.host!, { port: o.port, timeout: timeoutMs });
        }
      } catch (err) {
        c.close(() => {});
        throw modbusError(err, `${target}: connect`);
      }
      client = c;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    async read(unitId, table, address, count, timeoutMs) {
      const c = await connect(timeoutMs);
      c.setID(unitId);
      c.setTimeout(timeoutMs);
      try {
        switch (table) {
          case "coil":
            return (await c.readCoils(address, count)).data.slice(0, count);
          case "discrete":
            return (await c.readDiscreteInputs(address, count)).data.slice(0, count);
          case "holding":
            return (await c.readHoldingRegisters(address, count)).data;
          case "input":
            return (await c.readInputRegisters(address, count)).data;
        }
      } catch (err) {
        const e = modbusError(err, `${target} unit ${unitId}: read ${table} ${address}+${count}`);
        // A connection that failed or may carry a late answer is not reused.
        if (
          e.kind === "unreachable" ||
          (e.kind === "timeout" && o.transport !== "tcp") ||
          e.kind === "protocol"
        ) {
          client = undefined;
          c.close(() => {});
        }
        throw e;
      }
    },
    async close() {
      const c = client;
      client = undefined;
      if (c?.isOpen) await new Promise<void>((resolve) => c.close(() => resolve()));
    },
  };
}
