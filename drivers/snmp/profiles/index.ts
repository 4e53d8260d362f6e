/** Profile name (as the inventory writes it) → the blocks it is made of. */

import type { snmpProfileNames } from "../options.ts";
import { type Block, composeProfile, type Profile } from "../profile.ts";
import { antennaAcu } from "./antenna-acu.ts";
import { h3cComware } from "./h3c-comware.ts";
import { hostResources } from "./host-resources.ts";
import { huaweiVrp } from "./huawei-vrp.ts";
import { ifMib } from "./if-mib.ts";
import { pdtRepeater } from "./pdt-repeater.ts";
import { satelliteBuc } from "./satellite-buc.ts";
import { satelliteModem } from "./satellite-modem.ts";
import { system } from "./system.ts";
import { upsRfc1628 } from "./ups-rfc1628.ts";

export const profileBlocks = {
  "antenna-acu": [system(), antennaAcu()],
  "satellite-modem": [system(), satelliteModem()],
  "satellite-buc": [system(), satelliteBuc()],
  "generic-host": [system(), ifMib(), hostResources()],
  "pdt-base-station": [system(), pdtRepeater()],
  "h3c-switch": [system(), ifMib(), h3cComware({ poe: true })],
  "huawei-switch": [system(), ifMib(), huaweiVrp({ poe: true })],
  "huawei-router": [system(), ifMib(), huaweiVrp()],
  "ups-rfc1628": [system(), upsRfc1628()],
} satisfies Record<(typeof snmpProfileNames)[number], Block[]>;

export type SnmpProfileName = keyof typeof profileBlocks;

export const snmpProfiles: ReadonlyMap<SnmpProfileName, Profile> = new Map(
  Object.entries(profileBlocks).map(([name, blocks]) => [
    name as SnmpProfileName,
    composeProfile(name, blocks),
  ]),
);
