/**
 * The service calendar of the sites: an `always` site is always in service; a `deployed` site is
 * in service from a declaration that it is deployed until one that it stood down (from the API,
 * the CLI or its presence device's answered polls). Declarations are kept in the store and read
 * back here after each change.
 */
import type { Config } from "../config/schema.ts";
import type { PollOutcome } from "../core/outcome.ts";
import { type Deployment, declareDeployment, deployments } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { ruleMatches } from "./rules.ts";

export type SiteCalendarKind = "always" | "deployed";

export interface SiteDeclaration {
  site: string;
  deployed: boolean;
  who: string;
  note?: string;
  at: number;
}

export class SiteCalendar {
  private readonly kinds: Map<string, SiteCalendarKind>;
  private readonly presence: Config["sla"]["presence"];
  private declarations = new Map<string, Deployment[]>();

  constructor(
    private readonly db: Db,
    config: Pick<Config, "sites" | "sla">,
  ) {
    this.kinds = new Map(config.sites.map((s) => [s.id, s.calendar]));
    this.presence = config.sla.presence;
    this.reload();
  }

  has(site: string): boolean {
    return this.kinds.has(site);
  }

  /** Whether the site follows declarations (a `deployed` calendar). */
  declared(site: string): boolean {
    return this.kinds.get(site) === "deployed";
  }

  /** Records a declaration (at `at`, recorded `now`) and reads the declarations back. */
  declare(d: SiteDeclaration, now: number): Deployment {
    const row = declareDeployment(this.db, {
      site: d.site,
      deployed: d.deployed,
      at: d.at,
      recordedAt: now,
      who: d.who,
      note: d.note ?? null,
    });
    this.reload();
    return row;
  }

  /** The last declaration of the site at or before `at`. */
  lastDeclaration(site: string, at: number): Deployment | undefined {
    let last: Deployment | undefined;
    for (const d of this.declarations.get(site) ?? []) if (d.at <= at) last = d;
    return last;
  }

  /** Whether the site is expected in service at `at` (always-calendar sites always are). */
  inService(site: string, at: number): boolean {
    if (!this.declared(site)) return true;
    return this.lastDeclaration(site, at)?.deployed ?? false;
  }

  sites(
    now: number,
  ): { site: string; calendar: SiteCalendarKind; inService: boolean; last: Deployment | null }[] {
    return [...this.kinds].map(([site, calendar]) => ({
      site,
      calendar,
      inService: this.inService(site, now),
      last: this.lastDeclaration(site, now) ?? null,
    }));
  }

  /** Presence signals: the declarations a presence device's answered poll calls for. */
  presenceChanges(outcome: PollOutcome): SiteDeclaration[] {
    const changes: SiteDeclaration[] = [];
    for (const [site, p] of Object.entries(this.presence)) {
      if (p.device !== outcome.deviceId || !this.declared(site)) continue;
      const rule = { code: "presence", severity: "down", description: { zh: "", en: "" }, ...p } as const;
      const present = ruleMatches(rule, outcome.samples);
      if (present === this.inService(site, outcome.startedAt)) continue;
      changes.push({
        site,
        deployed: present,
        who: `presence ${p.device}`,
        note: `${p.metric} ${p.op} ${p.value}`,
        at: outcome.startedAt,
      });
    }
    return changes;
  }

  private reload(): void {
    const by = new Map<string, Deployment[]>();
    for (const d of deployments(this.db)) by.set(d.site, [...(by.get(d.site) ?? []), d]);
    this.declarations = by;
  }
}
