/**
 * The GoogLeNet experiment, as in the Keras original, with visionlab: Inception v1 with its two
 * auxiliary classifiers during training (loss weights 1, 0.3, 0.3), saved without them.
 *
 *   node --import tsx examples/googlenet.ts [--data DIR] [--epochs N] [--image-size 224]
 *
 * Runs on the bundled demo data by default. For a quick look use e.g. `--epochs 2 --image-size 96`
 * (the auxiliary classifiers need at least 65×65).
 */
import { parseArgs } from 'node:util';
import {
  buildGoogLeNet,
  demoDataDir,
  EarlyStopping,
  fit,
  GOOGLENET_LOSS_WEIGHTS,
  googlenetInferenceModel,
  imageDatasetFromDirectory,
  initBackend,
  makeOptimizer,
  preprocessDataset,
  ReduceLROnPlateau,
  saveModel,
  setRandomSeed,
} from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: demoDataDir() },
    epochs: { type: 'string', default: '1000' },
    'image-size': { type: 'string', default: '224' },
    out: { type: 'string', default: 'runs/googlenet-example' },
  },
});
const size = Number(args['image-size']);
await initBackend();
setRandomSeed(123);

// train_ds, val_ds = keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2,
//     subset="both", seed=123, image_size=(224, 224), batch_size=16, label_mode="binary")
const { train: trainDs, validation: valDs } = await imageDatasetFromDirectory(args.data, {
  validationSplit: 0.2,
  subset: 'both',
  seed: 123,
  imageSize: [size, size],
  batchSize: 16,
  labelMode: 'binary',
  colorMode: 'rgb',
});

// inputs = Input((224, 224, 3)); x = conv/pool stem; x = inception(x, ...) ×9;
// aux1 = auxiliary classifier after 4a, aux2 after 4d; main = GAP → Dropout(0.4) → Dense(1, sigmoid)
// model = Model(inputs, [main, aux1, aux2])
const model = buildGoogLeNet({
  inputShape: [size, size, 3],
  classes: 1,
  classifierActivation: 'sigmoid',
  auxiliaryOutputs: true,
});

// model.compile(optimizer="adam", loss="binary_crossentropy", loss_weights=[1, 0.3, 0.3], metrics=["accuracy"])
const optimizer = makeOptimizer('adam');

const early = new EarlyStopping({ monitor: 'val_loss', patience: 7, restoreBestWeights: true, verbose: 1 });
const reduceLr = new ReduceLROnPlateau({
  monitor: 'val_loss',
  factor: 0.5,
  patience: 3,
  minLR: 1e-5,
  verbose: 1,
});

// history = model.fit(train_ds, validation_data=val_ds, epochs=1000, callbacks=[early, reduce_lr])
const history = await fit(model, preprocessDataset(trainDs, 'tf'), {
  epochs: Number(args.epochs),
  optimizer,
  lossWeights: [...GOOGLENET_LOSS_WEIGHTS],
  validationData: preprocessDataset(valDs, 'tf'),
  callbacks: [early, reduceLr],
});

// The model for prediction and export has only the main output.
const exportModel = googlenetInferenceModel(model);
await saveModel(exportModel, args.out);
const last = history.history[history.history.length - 1];
console.log(
  `last epoch ${last.epoch}: val_loss ${last.val_loss.toFixed(4)}, val_accuracy ${last.val_accuracy.toFixed(4)} ` +
    `(restored epoch: ${history.restoredEpoch ?? 'none'})`,
);
console.log(`model (main output only) saved to ${args.out}`);
