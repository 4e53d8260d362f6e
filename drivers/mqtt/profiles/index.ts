/** Device models of pushed telemetry by inventory profile name, with each one's payload decoder. */
import type { DeviceModel, Sample } from "../../../src/core/types.ts";
import { decodeBeidou } from "../payload.ts";
import { beidouBox } from "./beidou-box.ts";

export interface MqttProfile extends DeviceModel {
  decode(payload: Buffer, now: number): { samples: Sample[] } | { invalid: string };
}

export const mqttProfiles = {
  "beidou-box": { ...beidouBox, decode: decodeBeidou },
} as const satisfies Record<string, MqttProfile>;

export type MqttProfileName = keyof typeof mqttProfiles;
export const mqttProfileNames = Object.keys(mqttProfiles) as [MqttProfileName, ...MqttProfileName[]];
