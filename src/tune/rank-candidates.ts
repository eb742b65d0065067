import type { LayerGradientNorms } from './auto-rgn.js';
import { relativeGradientNorm } from './auto-rgn.js';
import type { FreezeCandidate } from './candidates.js';

export interface RankedCandidate {
  candidate: FreezeCandidate;
  /** Relative gradient norm of the backbone weights the candidate trains; undefined for head-only. */
  rgn: number | undefined;
  /** Kept for the search (full fine-tuning and head-only always are). */
  kept: boolean;
}

const REFERENCES = new Set(['full', 'head-only']);

/**
 * Auto-RGN's ranking of freeze points: each candidate scored by ‖g‖/‖w‖ over the backbone weights it
 * trains (layers before `headStart`), the `keep` best of the cuts kept, full fine-tuning and head-only
 * kept as the references. Returned best first (the references after the kept cuts, the pruned last).
 */
export function rankByRgn(
  candidates: readonly FreezeCandidate[],
  norms: readonly LayerGradientNorms[],
  headStart: number,
  keep = Math.ceil(candidates.filter((c) => !REFERENCES.has(c.label)).length / 2),
): RankedCandidate[] {
  const scored = candidates.map((candidate) => ({
    candidate,
    rgn: relativeGradientNorm(norms, new Set(candidate.trainableLayers.filter((i) => i < headStart))),
  }));
  const cuts = scored
    .filter((s) => !REFERENCES.has(s.candidate.label))
    .sort((a, b) => (b.rgn ?? -Infinity) - (a.rgn ?? -Infinity));
  const kept = new Set(cuts.slice(0, Math.max(0, keep)).map((s) => s.candidate));
  const references = scored.filter((s) => REFERENCES.has(s.candidate.label));
  return [
    ...cuts.filter((s) => kept.has(s.candidate)).map((s) => ({ ...s, kept: true })),
    ...references.map((s) => ({ ...s, kept: true })),
    ...cuts.filter((s) => !kept.has(s.candidate)).map((s) => ({ ...s, kept: false })),
  ];
}
