import { VisionlabError } from '../../errors.js';
import { Augmentation } from './augmentation.js';
import { RandomRotation, RandomTranslation, RandomZoom } from './geometric.js';
import type { AugmentationLayer } from './layer.js';
import { RandomBrightness, RandomContrast } from './photometric.js';
import { RandomCrop } from './random-crop.js';
import { RandomFlip, type FlipMode } from './random-flip.js';

const SYNTAX: Record<string, string> = {
  flip: 'flip=horizontal | vertical | horizontal_and_vertical',
  rotation: 'rotation=0.1 (fraction of a full turn) or rotation=-0.1:0.2',
  zoom: 'zoom=0.1, zoom=-0.2:0.1, or zoom=0.1x0.2 (height x width)',
  translation: 'translation=0.1 or translation=0.1x0.2 (height x width)',
  contrast: 'contrast=0.2',
  brightness: 'brightness=0.2 or brightness=-0.1:0.3',
  crop: 'crop=224x224 (height x width)',
};

function usage(): string {
  return `Write comma-separated key=value pairs, e.g. "flip=horizontal,rotation=0.1,zoom=0.1". Keys: ${Object.values(
    SYNTAX,
  ).join('; ')}.`;
}

function bad(piece: string, why: string): VisionlabError {
  return new VisionlabError(`Augmentation "${piece}": ${why}.`, usage());
}

/** "0.1" → 0.1, "-0.1:0.2" → [-0.1, 0.2]. */
function parseFactor(piece: string, text: string): number | [number, number] {
  const parts = text.split(':').map((p) => Number(p.trim()));
  if (parts.some((p) => !Number.isFinite(p)) || parts.length > 2 || text.trim() === '') {
    throw bad(piece, `"${text}" is not a number or a lower:upper range`);
  }
  return parts.length === 1 ? parts[0] : [parts[0], parts[1]];
}

function parsePair(piece: string, text: string): [string, string | undefined] {
  const [a, b, extra] = text.split('x');
  if (extra !== undefined) throw bad(piece, `"${text}" has more than two parts`);
  return [a, b];
}

const ALIASES: Record<string, string> = {
  rotate: 'rotation',
  translate: 'translation',
  shift: 'translation',
};

function layerFor(piece: string, rawKey: string, value: string): AugmentationLayer {
  const key = ALIASES[rawKey] ?? rawKey;
  switch (key) {
    case 'flip': {
      const mode = value === 'both' ? 'horizontal_and_vertical' : value || 'horizontal_and_vertical';
      if (!['horizontal', 'vertical', 'horizontal_and_vertical'].includes(mode))
        throw bad(piece, `unknown flip mode "${value}"`);
      return new RandomFlip(mode as FlipMode);
    }
    case 'rotation':
      return new RandomRotation(parseFactor(piece, value));
    case 'zoom': {
      const [h, w] = parsePair(piece, value);
      return new RandomZoom(parseFactor(piece, h), w === undefined ? undefined : parseFactor(piece, w));
    }
    case 'translation': {
      const [h, w] = parsePair(piece, value);
      return new RandomTranslation(parseFactor(piece, h), parseFactor(piece, w ?? h));
    }
    case 'contrast':
      return new RandomContrast(parseFactor(piece, value));
    case 'brightness':
      return new RandomBrightness(parseFactor(piece, value));
    case 'crop': {
      const [h, w] = parsePair(piece, value);
      const height = Number(h);
      const width = Number(w ?? h);
      if (!Number.isInteger(height) || !Number.isInteger(width))
        throw bad(piece, `"${value}" is not HEIGHTxWIDTH`);
      return new RandomCrop(height, width);
    }
    default:
      throw bad(piece, `unknown key "${key}"`);
  }
}

/**
 * Parses a flag string such as `flip=horizontal,rotation=0.1,zoom=0.1` (or a list of such pieces)
 * into an `Augmentation`, layers applied in the order written. `rotate`, `translate` and `shift` are
 * accepted for `rotation` and `translation`; an empty string or "none" gives no augmentation.
 */
export function parseAugmentation(spec: string | readonly string[], seed = 0): Augmentation {
  const text = (typeof spec === 'string' ? spec : spec.join(',')).trim();
  if (text === '' || text === 'none') return new Augmentation([], seed);
  const layers = text.split(',').map((raw) => {
    const piece = raw.trim();
    const eq = piece.indexOf('=');
    const key = (eq < 0 ? piece : piece.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : piece.slice(eq + 1).trim();
    if (eq < 0 && key !== 'flip') throw bad(piece, 'expected key=value');
    try {
      return layerFor(piece, key, value);
    } catch (err) {
      if (err instanceof VisionlabError && !err.message.startsWith('Augmentation'))
        throw bad(piece, err.message);
      throw err;
    }
  });
  return new Augmentation(layers, seed);
}
