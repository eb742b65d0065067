/**
 * The DaViT-T transfer-learning experiment, as in the Keras original, with visionlab: ImageNet
 * backbone without its head, input 280×280, a new head GlobalAveragePooling2D → Dropout(0.3) →
 * Dense(1, sigmoid), the first 80 layers frozen, the backbone's own preprocessing, then fit with
 * early stopping and ReduceLROnPlateau.
 *
 *   node --import tsx examples/transfer-davit.ts [--data DIR] [--epochs N] [--image-size 280] [--pretrained imagenet|FILE.h5|none]
 *
 * Uses the pretrained weights when they are available (downloaded once into the cache, or a given
 * `.h5` file), random weights otherwise, and says which. For a quick look use e.g.
 * `--epochs 1 --image-size 64 --pretrained none`.
 */
import { parseArgs } from 'node:util';
import {
  buildTransferModel,
  demoDataDir,
  EarlyStopping,
  fit,
  freeze,
  imageDatasetFromDirectory,
  initBackend,
  makeOptimizer,
  preprocessDataset,
  ReduceLROnPlateau,
  saveModel,
  setRandomSeed,
  VisionlabError,
  type TransferModel,
} from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: demoDataDir() },
    epochs: { type: 'string', default: '1000' },
    'image-size': { type: 'string', default: '280' },
    pretrained: { type: 'string', default: 'imagenet' },
    out: { type: 'string', default: 'runs/transfer-davit-example' },
  },
});
const size = Number(args['image-size']);
await initBackend();
setRandomSeed(123);

const { train: trainDs, validation: valDs } = await imageDatasetFromDirectory(args.data, {
  validationSplit: 0.2,
  subset: 'both',
  seed: 123,
  imageSize: [size, size],
  batchSize: 16,
  labelMode: 'binary',
  colorMode: 'rgb',
});

// base_model = DaViT_T(input_shape=(280, 280, 3), pretrained="imagenet", num_classes=0)
// x = GlobalAveragePooling2D()(base_model.output); x = Dropout(0.3)(x); outputs = Dense(1, "sigmoid")(x)
// model = Model(base_model.input, outputs)
const head = {
  backbone: 'davit_t',
  inputShape: [size, size, 3] as [number, number, number],
  dropout: 0.3,
  units: 1,
};
let transfer: TransferModel;
const pretrained = args.pretrained === 'none' ? null : args.pretrained;
try {
  transfer = await buildTransferModel({ ...head, pretrained, activation: 'sigmoid' });
  console.log(`backbone weights: ${transfer.weights.description}`);
} catch (err) {
  if (!(err instanceof VisionlabError) || pretrained === null) throw err;
  console.log(`pretrained weights unavailable (${err.message.split('\n').join(' ')})`);
  console.log('continuing with RANDOM weights: the results say nothing about transfer learning');
  transfer = await buildTransferModel({ ...head, pretrained: null, activation: 'sigmoid' });
}
const model = transfer.model;

// for layer in model.layers[:80]: layer.trainable = False
// print(len(model.trainable_weights))  → "froze … of … parameters (… %), … of … weight variables: …"
console.log(freeze(model, { until: 80 }).description);

// model.compile(optimizer=Adam(1e-4), loss="binary_crossentropy", metrics=["accuracy"])
const optimizer = makeOptimizer({ name: 'adam', learningRate: 1e-4 });

const early = new EarlyStopping({ monitor: 'val_loss', patience: 7, restoreBestWeights: true, verbose: 1 });
const reduceLr = new ReduceLROnPlateau({
  monitor: 'val_loss',
  factor: 0.5,
  patience: 3,
  minLR: 1e-5,
  verbose: 1,
});

// history = model.fit(train_ds.map(preprocess_input), validation_data=val_ds.map(preprocess_input), ...)
const history = await fit(model, preprocessDataset(trainDs, transfer.preprocessing), {
  epochs: Number(args.epochs),
  optimizer,
  validationData: preprocessDataset(valDs, transfer.preprocessing),
  callbacks: [early, reduceLr],
});

await saveModel(model, args.out);
const best = history.history.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
console.log(
  `best epoch ${best.epoch}: val_loss ${best.val_loss.toFixed(4)}, val_accuracy ${best.val_accuracy.toFixed(4)}`,
);
console.log(`model saved to ${args.out}`);
