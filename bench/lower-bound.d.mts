/** Types of bench/lower-bound.mjs (the benchmark is plain JavaScript; the unit test is TypeScript). */
export interface WavePart {
  readonly route: string;
  readonly count: number;
}
export type Wave = readonly WavePart[];
export type KindName = 'securityProviders' | 'fields' | 'sources' | 'schedules' | 'groups' | 'apiKeys';
export type StepCounts = Partial<Record<KindName, Partial<Record<'create' | 'update' | 'replace' | 'delete', number>>>>;
export type BatchSizes = Partial<Record<KindName, Partial<Record<'create' | 'update' | 'delete', number>>>>;

export const LIST_PAGE_SIZE: { readonly fields: number; readonly sources: number };
export const BATCH_SIZE: BatchSizes;
export function roundsOf(waves: readonly Wave[], parallelism: number): number;
export function pagesOf(count: number, pageSize: number): number;
export function readWaves(kinds: readonly string[], counts: Partial<Record<KindName, number>>, pageSize?: { readonly fields: number; readonly sources: number }): Wave[];
export function kindLevels(dependsOn: Readonly<Record<string, readonly string[]>>): Record<string, number>;
export function writeRequests(kind: string, action: 'create' | 'update' | 'replace' | 'delete', n: number, batch?: BatchSizes): number;
export function writeWaves(
  steps: StepCounts,
  dependsOn: Readonly<Record<string, readonly string[]>>,
  options?: { readonly batch?: BatchSizes; readonly extraRequests?: Partial<Record<KindName, number>>; readonly touchedSources?: number },
): Wave[];
export function requestsByRoute(waves: readonly Wave[]): Record<string, number>;
export function lowerBound(waves: readonly Wave[], options: { readonly parallelism: number; readonly latencyMs: number }): { rounds: number; requests: number; ms: number; byRoute: Record<string, number> };
