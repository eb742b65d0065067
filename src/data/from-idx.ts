import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { channelsOf, colorModeOf } from './decode-options.js';
import { decodeImage } from './decode-image.js';
import { readIdxFile } from './idx-file.js';
import { batchingOf, resolveLoadOptions, type ImageLoadOptions } from './options.js';
import { PixelDataset } from './pixel-dataset.js';

export interface IdxDatasetOptions extends Omit<ImageLoadOptions, 'cacheDir' | 'verify' | 'maxPixels'> {
  /** Names of the label values 0…n-1; default "0", "1", …. */
  classNames?: readonly string[];
}

/**
 * A dataset from an IDX image file ([n, h, w] or [n, h, w, c] uint8) and an IDX label file ([n]),
 * held in memory. Defaults to the images' own size and grayscale; other sizes and colour modes are
 * resized and converted with sharp.
 */
export async function idxDataset(
  imagesFile: string,
  labelsFile: string,
  options: IdxDatasetOptions = {},
): Promise<PixelDataset> {
  const [images, labelArray] = await Promise.all([readIdxFile(imagesFile), readIdxFile(labelsFile)]);
  if (!(images.data instanceof Uint8Array) || (images.shape.length !== 3 && images.shape.length !== 4)) {
    throw new VisionlabError(
      `${imagesFile} holds ${images.shape.join('×')} values, not uint8 images [n, height, width(, channels)].`,
    );
  }
  const [n, height, width, channels = 1] = images.shape;
  if (![1, 3, 4].includes(channels))
    throw new VisionlabError(`${imagesFile} has ${channels} channels; expected 1, 3 or 4.`);
  if (labelArray.shape.length !== 1 || labelArray.shape[0] !== n) {
    throw new VisionlabError(
      `${labelsFile} holds ${labelArray.shape.join('×')} labels but ${imagesFile} holds ${n} images.`,
      'Pass the label file that belongs to the image file.',
    );
  }
  const labels = Int32Array.from(labelArray.data as ArrayLike<number>);
  const numClasses = Math.max(...labels) + 1;
  const classNames = options.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (labels.some((l) => l < 0 || l >= classNames.length)) {
    throw new VisionlabError(`${labelsFile} has labels outside 0…${classNames.length - 1}.`);
  }
  const resolved = resolveLoadOptions({
    colorMode: colorModeOf(channels) ?? 'rgb',
    imageSize: [height, width],
    ...options,
  });
  const { spec } = resolved;
  const outChannels = channelsOf(spec.colorMode);
  const frame = height * width * channels;
  const native = spec.height === height && spec.width === width && outChannels === channels;
  const pixels = images.data;
  const source = path.basename(imagesFile);
  return new PixelDataset({
    classNames,
    imageShape: [spec.height, spec.width, outChannels],
    labels,
    sources: Array.from({ length: n }, (_, i) => `${source}#${i}`),
    ...batchingOf(resolved),
    memoryCacheBytes: native ? 0 : resolved.memoryCacheBytes,
    load: async (i) => {
      const image = pixels.subarray(i * frame, (i + 1) * frame);
      if (native) return image;
      return decodeImage(Buffer.from(image.buffer, image.byteOffset, image.byteLength), spec, {
        width,
        height,
        channels: channels as 1 | 3 | 4,
      });
    },
  });
}

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/**
 * Fashion-MNIST (60,000 training and 10,000 test 28×28 grayscale images, 10 classes) in one call,
 * from Debian's `dataset-fashion-mnist` (or `dir`), like Keras' `fashion_mnist.load_data()`.
 */
export async function loadFashionMnist(
  options: IdxDatasetOptions & { dir?: string } = {},
): Promise<{ train: PixelDataset; test: PixelDataset }> {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const file = (name: string) => path.join(dir, name);
  const common = { classNames: FASHION_MNIST_CLASSES, ...options };
  try {
    const [train, test] = await Promise.all([
      idxDataset(file('train-images-idx3-ubyte.gz'), file('train-labels-idx1-ubyte.gz'), common),
      idxDataset(file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz'), {
        ...common,
        shuffle: false,
      }),
    ]);
    return { train, test };
  } catch (err) {
    if (err instanceof VisionlabError && /not found/.test(err.message)) {
      throw new VisionlabError(
        `Fashion-MNIST is not in ${dir}.`,
        'Install it with `apt-get install dataset-fashion-mnist`, or pass dir: the folder holding the four *-ubyte.gz files.',
      );
    }
    throw err;
  }
}
