/** How an image becomes a sequence (mirrors `SequenceView` of `@gruvision/data`). */
export interface SequenceView {
  readonly mode: 'rows' | 'columns' | 'pixels' | 'patches';
  readonly patchSize?: number;
  readonly permutationSeed?: number;
  readonly normalize?: {
    readonly mean: number | readonly number[];
    readonly std: number | readonly number[];
  };
}
