import { joinParts, type ModelFetchError, weightPaths } from './model-files';
import type { ForeignModel, ModelFiles, ModelSource } from './protocol';

/** Thrown when dropped or chosen files are not a gruvision model folder. */
export class ModelFolderError extends Error {
  readonly code = 'MODEL_FOLDER_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

/** The part of `File` the reader needs (a name and the bytes). */
export interface NamedBlob {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const baseName = (path: string): string => path.split('/').pop() ?? path;

/**
 * Reads a model folder from files the user dropped or chose: one `model.json` and the weight files its
 * manifest lists (matched by file name). Everything stays in the browser.
 */
export async function modelFromFiles(files: readonly NamedBlob[]): Promise<ModelFiles> {
  const jsons = files.filter((f) => f.name === 'model.json');
  if (jsons.length !== 1) {
    const names = files.map((f) => f.name).join(', ') || 'nothing';
    throw new ModelFolderError(
      jsons.length === 0
        ? `No model.json among the dropped files (${names}). Drop a gruvision model folder (or its model.json and weights.bin together), or one .onnx or .safetensors file.`
        : 'Several model.json files were dropped. Drop one model folder at a time.',
    );
  }
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(await jsons[0]!.arrayBuffer()));
  } catch {
    throw new ModelFolderError(
      'The dropped model.json is not JSON. Drop the model.json that gruvision saved.',
    );
  }
  let paths: string[];
  try {
    paths = weightPaths(modelJson, 'The dropped model.json');
  } catch (err) {
    throw new ModelFolderError(
      `${(err as ModelFetchError).message} Drop the model.json that gruvision saved.`,
    );
  }
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const file = files.find((f) => f.name === baseName(path));
    if (!file) {
      throw new ModelFolderError(
        `model.json needs ${baseName(path)}, which was not dropped: drop the whole model folder, or model.json and ${baseName(path)} together.`,
      );
    }
    parts.push(new Uint8Array(await file.arrayBuffer()));
  }
  return { modelJson, weightData: await joinParts(parts) };
}

/** The format of a PyTorch-side model file, by its name; `null` for anything else. */
export function foreignFormat(name: string): ForeignModel['format'] | null {
  const lower = name.toLowerCase();
  return lower.endsWith('.onnx') ? 'onnx' : lower.endsWith('.safetensors') ? 'safetensors' : null;
}

/**
 * The model in dropped or chosen files: one `.onnx` or `.safetensors` file (read by the worker with
 * @gruvision/interop), or else a gruvision model folder (`modelFromFiles`). Nothing leaves the browser.
 */
export async function modelSourceFromFiles(files: readonly NamedBlob[]): Promise<ModelSource> {
  const foreign = files.filter((f) => foreignFormat(f.name) !== null);
  if (foreign.length > 1) {
    throw new ModelFolderError(
      `Several model files were dropped (${foreign.map((f) => f.name).join(', ')}). Drop one .onnx or .safetensors file at a time.`,
    );
  }
  const one = foreign[0];
  if (one) {
    const format = foreignFormat(one.name)!;
    return {
      kind: 'foreign',
      model: { format, name: one.name, bytes: new Uint8Array(await one.arrayBuffer()) },
    };
  }
  return { kind: 'files', files: await modelFromFiles(files) };
}

/** The files of a drop: plain files, and the files directly inside dropped folders (and the folder's name). */
export async function droppedFiles(transfer: DataTransfer): Promise<{ files: File[]; folder?: string }> {
  const entries = Array.from(transfer.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => e !== null && e !== undefined);
  const folder = entries.find((e) => e.isDirectory)?.name;
  if (folder === undefined) return { files: Array.from(transfer.files) };
  const out: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) out.push(await fileOf(entry as FileSystemFileEntry));
    else if (entry.isDirectory) {
      for (const child of await readAll(entry as FileSystemDirectoryEntry))
        if (child.isFile) out.push(await fileOf(child as FileSystemFileEntry));
    }
  }
  return { files: out, folder };
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
