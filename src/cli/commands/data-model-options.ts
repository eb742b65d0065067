import type { Command } from 'commander';

/** The flags that say which data and which model: shared by `train`, `lr-find` and `freeze-search`. */
export function addDataModelOptions(command: Command): Command {
  return command
    .option('--config <file>', 'read options from a JSON or YAML file (flags override it)')
    .option('--data <dir>', 'folder with one sub-folder of images per class (default: the bundled demo data)')
    .option('--model <name>', 'model from the zoo (default small_cnn; see `visionlab models`)')
    .option('--seed <n>', 'seed of the split, the shuffles and the weight initialisation (default 42)')
    .option('--batch-size <n>', 'examples per batch (default 32)')
    .option('--image-size <h,w>', "resize images to H,W (default: the model's input size)")
    .option('--input-shape <h,w,c>', 'model input shape, e.g. 280,280,3')
    .option('--color-mode <mode>', 'rgb, grayscale or rgba (default: from the model input channels)')
    .option('--validation-split <f>', 'fraction of each class held out for validation (default 0.2)')
    .option('--test-split <f>', 'fraction of each class held out for the test set (default 0.1)')
    .option('--optimizer <name>', 'adam, sgd, rmsprop or adagrad (default adam)')
    .option('--momentum <m>', 'momentum for sgd / rmsprop')
    .option('--class-weight <w>', '"balanced" or per class, e.g. ankle_boot=1,sneaker=2')
    .option('--pretrained <weights>', 'imagenet or a weights file, for transfer learning')
    .option('--head <opts>', 'new classification head, e.g. dropout=0.3,units=1,activation=sigmoid')
    .option('--cache-dir <dir>', 'keep decoded, resized images here so that later runs skip decoding');
}

/** `--freeze-until`, `--freeze-names`, `--freeze-stages`, `--freeze-blocks`, `--freeze-kinds`. */
export function addFreezeOptions(command: Command): Command {
  return command
    .option('--freeze-until <n>', 'freeze the first N layers (indices in `visionlab summary`)')
    .option('--freeze-names <regex>', 'freeze the layers whose name matches')
    .option(
      '--freeze-stages <n>',
      'freeze the stem and the first N stages (the same weights at every input size)',
    )
    .option('--freeze-blocks <n>', 'freeze the stem and the first N blocks')
    .option('--freeze-kinds <classes>', 'freeze every layer of these classes, e.g. BatchNormalization')
    .option(
      '--frozen-prefix-cache',
      'run the frozen layers once per image and train only the rest (no augmentation, no dropout in them)',
    );
}
