/**
 * What every recurrent layer of this package takes (Keras-style camelCase config): {@link KerasGruArgs}
 * and {@link MinRecurrentArgs} add their own.
 */
export interface RecurrentLayerArgs {
  readonly units: number;
  readonly name?: string;
  readonly trainable?: boolean;
  /** Fraction of the inputs dropped in training, one mask per sequence (Keras). Default 0. */
  readonly dropout?: number;
  readonly returnSequences?: boolean;
  readonly goBackwards?: boolean;
  readonly inputShape?: (number | null)[];
  readonly batchInputShape?: (number | null)[];
  readonly dtype?: 'float32';
  readonly [extra: string]: unknown;
}
