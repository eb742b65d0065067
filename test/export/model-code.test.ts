import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { modelCode } from '../../src/export/index.js';
import { VisionlabError } from '../../src/errors.js';
import { listModels } from '../../src/models/index.js';
import { runCli } from '../helpers/run-cli.js';
import { buildSmall } from './zoo-models.js';

const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import ast'], { stdio: 'ignore' }).status === 0;

describe('summary --as pytorch|keras', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-code-'));
  before(async () => {
    await initBackend();
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('prints an nn.Module with one attribute per layer and a forward that follows the layers', async () => {
    const r = await runCli(['summary', 'alexnet_mini', '--as', 'pytorch']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^class AlexnetMini\(nn\.Module\):$/m);
    assert.match(r.stdout, /self\.conv2d = nn\.Conv2d\(3, 96, kernel_size=\(13, 13\), stride=\(3, 3\)\)/);
    assert.match(r.stdout, /self\.dense = nn\.Linear\(30976, 128\)/);
    assert.match(r.stdout, /x = F\.relu\(self\.conv2d\(x\)\)/);
    assert.match(
      r.stdout,
      /# Keras flattens channels-last[^\n]*\n\s+x = torch\.flatten\(x\.permute\(0, 2, 3, 1\), 1\)/,
    );
    assert.match(r.stdout, /^ {8}return x$/m);
    assert.match(r.stdout, /x = pixels \/ 127\.5 - 1/);
  });

  it('prints Keras functional code with the layer names and arguments of the model', async () => {
    const r = await runCli([
      'summary',
      'resnet50',
      '--input-shape',
      '64,64,3',
      '--classes',
      '2',
      '--as',
      'keras',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /x = inputs = keras\.Input\(shape=\(64, 64, 3\), name="input_1"\)/);
    assert.match(r.stdout, /layers\.BatchNormalization\(epsilon=0\.00001001, name="conv1_bn"\)/);
    assert.match(
      r.stdout,
      /conv2_block1_out = layers\.Activation\(activation="relu", name="conv2_block1_out"\)\(x\)/,
    );
    assert.match(r.stdout, /return keras\.Model\(inputs, x, name="resnet50"\)/);
  });

  it('refuses a language it does not write', async () => {
    const r = await runCli(['summary', 'alexnet_mini', '--as', 'jax']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot print a model as "jax"/);
    const { model } = buildSmall(listModels()[0]);
    assert.throws(() => modelCode(model, 'jax'), VisionlabError);
    model.dispose();
  });

  it(
    'every zoo model gives Python that parses, in both languages',
    { skip: hasPython ? false : `no ${PYTHON}` },
    async () => {
      const files: string[] = [];
      for (const spec of listModels()) {
        const { model } = buildSmall(spec);
        for (const language of ['pytorch', 'keras']) {
          if (language === 'keras' && spec.family === 'ViT') {
            // Keras has no class-token or positional-embedding layer: the error names them.
            assert.throws(
              () => modelCode(model, language),
              /\(ClassToken\) cannot be exported to Keras code/,
            );
            continue;
          }
          const file = path.join(tmp, `${spec.name}_${language}.py`);
          await fs.writeFile(file, modelCode(model, language, spec.preprocessing));
          files.push(file);
        }
        model.dispose();
      }
      execFileSync(PYTHON, [
        '-c',
        'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)',
        ...files,
      ]);
    },
  );
});
