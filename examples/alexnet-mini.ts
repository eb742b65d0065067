/**
 * The reduced AlexNet experiment, as in the Keras original, with visionlab:
 *
 *   node --import tsx examples/alexnet-mini.ts [--data DIR] [--epochs N] [--image-size 280]
 *
 * Runs on the bundled demo data by default (28×28 grayscale, resized to 280×280 RGB as the model
 * expects). For a quick look use e.g. `--epochs 2 --image-size 112`.
 */
import { parseArgs } from 'node:util';
import {
  buildAlexnetMini,
  demoDataDir,
  EarlyStopping,
  fit,
  imageDatasetFromDirectory,
  initBackend,
  makeOptimizer,
  preprocessDataset,
  ReduceLROnPlateau,
  saveModel,
  setRandomSeed,
  summary,
} from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: demoDataDir() },
    epochs: { type: 'string', default: '1000' },
    'image-size': { type: 'string', default: '280' },
    out: { type: 'string', default: 'runs/alexnet-mini-example' },
  },
});
const size = Number(args['image-size']);
await initBackend();
setRandomSeed(123); // keras.utils.set_random_seed(123)

// train_ds, val_ds = keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2,
//     subset="both", seed=123, image_size=(280, 280), batch_size=16, label_mode="binary")
const { train: trainDs, validation: valDs } = await imageDatasetFromDirectory(args.data, {
  validationSplit: 0.2,
  subset: 'both',
  seed: 123,
  imageSize: [size, size],
  batchSize: 16,
  labelMode: 'binary',
  colorMode: 'rgb',
});
console.log(`classes: ${trainDs.classNames.join(', ')}`);

// model = Sequential([ZeroPadding2D(3), Conv2D(96, 13, strides=3, activation="relu"), MaxPool2D(3, 2),
//     Conv2D(256, 5, padding="same", ...), ..., Flatten(), Dense(128), Dense(128), Dense(1, "sigmoid")])
const model = buildAlexnetMini({ inputShape: [size, size, 3] });
console.log(summary(model).text); // model.summary()

// model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
// (the loss follows from the single sigmoid output; the optimizer is passed to fit)
const optimizer = makeOptimizer('adam');

// early = EarlyStopping(monitor="val_loss", patience=7, restore_best_weights=True)
// reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-5)
const early = new EarlyStopping({ monitor: 'val_loss', patience: 7, restoreBestWeights: true, verbose: 1 });
const reduceLr = new ReduceLROnPlateau({
  monitor: 'val_loss',
  factor: 0.5,
  patience: 3,
  minLR: 1e-5,
  verbose: 1,
});

// history = model.fit(train_ds.map(preprocess), validation_data=val_ds.map(preprocess), epochs=1000,
//     callbacks=[early, reduce_lr])
const history = await fit(model, preprocessDataset(trainDs, 'tf'), {
  epochs: Number(args.epochs),
  optimizer,
  validationData: preprocessDataset(valDs, 'tf'),
  callbacks: [early, reduceLr],
});

// model.save(...)
await saveModel(model, args.out);
const best = history.history.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
console.log(
  `best epoch ${best.epoch}: val_loss ${best.val_loss.toFixed(4)}, val_accuracy ${best.val_accuracy.toFixed(4)}`,
);
console.log(`model saved to ${args.out}`);
