/**
 * modbus simulator: one Modbus TCP server on loopback per Modbus device of the inventory, with
 * the register model of its profile (generator, BUC, UPS). It answers only the device's unit id
 * (others get exception 11, gateway target failed to respond).
 * Faults every device has: `silent` (no answer), `slow` (answers after 3 s), `garbage` (non-Modbus
 * bytes), `busy` (exception 6 server-device-busy), `short` (one register fewer than asked); plus
 * the model's own (see generator.ts, buc.ts, ups.ts).
 */
import { commonFaults, FaultBook, type SimulatorDefinition } from "../registry.ts";
import { bucModel } from "./buc.ts";
import { generatorModel } from "./generator.ts";
import { readRange, type SimModel } from "./model.ts";
import { type ModbusReply, type ModbusTcpServer, startModbusTcpServer } from "./server.ts";
import { upsModel } from "./ups.ts";

const modbusFaults = [...commonFaults, "busy", "short"] as const;

export function modelFor(profile: string | undefined, now: number): SimModel | undefined {
  if (profile === "dse-generator") return generatorModel(now);
  if (profile === "buc-rs485") return bucModel();
  if (profile === "ups-modbus") return upsModel(now);
  return undefined;
}

export const modbusSimulator: SimulatorDefinition = {
  protocol: "modbus",
  async start(devices, { clock, log }) {
    const served = new Map<string, { server: ModbusTcpServer; model: SimModel }>();
    const known = new Set<string>(modbusFaults);
    const models = new Map<string, SimModel>();
    for (const d of devices) {
      const model = modelFor(d.driver.profile, clock.now());
      if (!model) {
        log.warn({ device: d.id, profile: d.driver.profile }, "no modbus simulator model for this profile");
        continue;
      }
      models.set(d.id, model);
      for (const f of model.faults) known.add(f);
    }
    const book = new FaultBook([...known]);
    for (const [id, model] of models) {
      const device = devices.find((d) => d.id === id)!;
      const unitId = typeof device.driver.unitId === "number" ? device.driver.unitId : 1;
      const has = (f: string) => book.has(id, f);
      const server = await startModbusTcpServer(async (req): Promise<ModbusReply> => {
        if (req.unitId !== unitId) return { exception: 11 };
        if (has("silent")) return { silent: true };
        if (has("garbage")) return { garbage: true };
        if (has("busy")) return { exception: 6 };
        if (has("slow")) await new Promise<void>((r) => clock.setTimer(3000, r));
        const reply = readRange(model.tables(clock.now(), has)[req.table], req.address, req.count);
        return has("short") && "values" in reply ? { short: true, values: reply.values } : reply;
      });
      served.set(id, { server, model });
    }
    return {
      protocol: "modbus",
      devices: () => [...served.keys()],
      endpoint: (id) => ({ transport: "tcp", host: "127.0.0.1", port: served.get(id)?.server.port }),
      faults: () => [...known],
      inject(id, fault) {
        const entry = served.get(id);
        if (!entry || !(modbusFaults as readonly string[]).concat(entry.model.faults).includes(fault))
          return false;
        return book.inject(id, fault);
      },
      clear: (id, fault) => book.clear(id, fault),
      active: (id) => book.list(id),
      async stop() {
        await Promise.all([...served.values()].map((s) => s.server.close()));
      },
    };
  },
};
