/**
 * Where each line of the sheet takes its figure from. The maintenance records (src/records) count
 * what 附件二 counts (plans, inspections, support tasks, call-backs, the bureau's register) into a
 * `RecordFigures` snapshot of the month, with the records behind each count as evidence. A line
 * whose figure the records give says `source: "records"`; a manual figure is used only where the
 * month's inputs override that line with a reason, and the line then says `manual` and shows the
 * reason. Without records (a source file, an older frozen month) every counted line is manual, as
 * before. Repair timeliness, availability and repeat faults always come from the ledger and tickets.
 *
 * Pure: called by score.ts once per month (and once for a merged year).
 */
import type { ManualInputs } from "./inputs.ts";
import type { ScoreLine } from "./sheet.ts";

/** The lines the records can give, and the manual-input fields each one reads. */
export const recordLineFields = {
  reports: ["reportsMissing", "reportsNonConforming"],
  "inspection-plan": ["inspectionPlansNotSubmitted", "inspectionPlansNotCarriedOut"],
  "review-call": ["reviewCallsMissed"],
  "user-data": ["userDataErrors"],
  "support-tasks": ["supportTasksFailed"],
  "callback-satisfaction": ["dissatisfiedCallbacks"],
  complaints: ["complaints", "writtenPraise"],
  escalated: ["escalatedComplaints"],
  "production-accidents": ["productionAccidents"],
} as const;
export type RecordLine = keyof typeof recordLineFields;
export const recordLines = Object.keys(recordLineFields) as [RecordLine, ...RecordLine[]];

// Every field named above is a manual input (checked here, not on the table, to keep the types acyclic).
recordLineFields satisfies Record<RecordLine, readonly (keyof ManualInputs)[]>;

/** The lines measured by the ledger and the tickets. */
const measuredLines = new Set(["repair-timeliness", "availability", "repeat-faults"]);

export type RecordCounts = Pick<ManualInputs, (typeof recordLineFields)[RecordLine][number]>;

/** A month's counts from the records, as of the month's cutoff, with their evidence per line. */
export interface RecordFigures {
  counts: RecordCounts;
  evidence: Record<RecordLine, string[]>;
}

export interface Provenance {
  source: "records" | "manual";
  /** The reason of a manual override. */
  override: string | null;
  evidence: string[];
}

/**
 * The inputs the lines are computed from: the records' counts, except on lines the manual inputs
 * override (with their reason); and where each line's figure came from.
 */
export function effectiveInputs(
  inputs: ManualInputs,
  records: RecordFigures | undefined,
): { inputs: ManualInputs; provenance: Map<string, Provenance>; warnings: string[] } {
  const provenance = new Map<string, Provenance>();
  const warnings: string[] = [];
  const out = { ...inputs } as Record<string, unknown>;
  for (const line of recordLines) {
    const reason = inputs.overrides[line];
    if (!records || reason) {
      provenance.set(line, {
        source: "manual",
        override: reason ?? null,
        evidence: reason ? [`人工修正 / manual override: ${reason}`] : [],
      });
      continue;
    }
    for (const f of recordLineFields[line]) {
      const manual = inputs[f];
      const ignored = Array.isArray(manual) ? manual.length > 0 : manual !== 0;
      if (ignored)
        warnings.push(
          `${line}: the manual ${f} is ignored, the records give this line (override it with a reason to use it)`,
        );
      out[f] = records.counts[f];
    }
    provenance.set(line, { source: "records", override: null, evidence: records.evidence[line] ?? [] });
  }
  return { inputs: out as ManualInputs, provenance, warnings };
}

/** Each line with its source and, for the lines the records or an override give, their evidence. */
export function withProvenance(lines: ScoreLine[], provenance: Map<string, Provenance>): ScoreLine[] {
  return lines.map((l) => {
    const p = provenance.get(l.id);
    if (!p) return { ...l, source: measuredLines.has(l.id) ? "records" : "manual", override: null };
    return { ...l, source: p.source, override: p.override, evidence: [...l.evidence, ...p.evidence] };
  });
}

/** Where a line's figure came from: the system's records, people's entry, or an override and why. */
export function sourceText(l: Pick<ScoreLine, "source" | "override">): string {
  if (l.override) return `人工修正 manual override: ${l.override}`;
  return l.source === "manual" ? "人工录入 manual" : "系统记录 records";
}

/**
 * A year's record figures: each month's effective counts summed (a month whose line was overridden
 * contributes its manual figure, named in the evidence). Undefined when no month has records.
 */
export function mergeRecordFigures(
  months: readonly { inputs: ManualInputs; records?: RecordFigures }[],
): RecordFigures | undefined {
  if (!months.some((m) => m.records)) return undefined;
  const counts = {} as Record<string, unknown>;
  const evidence = Object.fromEntries(recordLines.map((l) => [l, [] as string[]])) as Record<
    RecordLine,
    string[]
  >;
  for (const m of months) {
    const { inputs, provenance } = effectiveInputs(m.inputs, m.records);
    for (const line of recordLines) {
      for (const f of recordLineFields[line]) {
        const v = inputs[f];
        counts[f] = Array.isArray(v)
          ? [...((counts[f] as unknown[]) ?? []), ...v]
          : ((counts[f] as number) ?? 0) + (v as number);
      }
      const p = provenance.get(line)!;
      evidence[line].push(...p.evidence.map((e) => `${m.inputs.period} ${e}`));
    }
  }
  return { counts: counts as RecordCounts, evidence };
}
