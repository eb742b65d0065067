import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/engine/backend.js';
import { buildModel, getModel, listModels } from '../../src/models/index.js';
import { float32MB } from '../../src/models/pretrained.js';
import { pretrainedSource } from '../../src/weights/index.js';

/** The families whose published weights the zoo must declare (issue #13). */
const WITH_WEIGHTS = [
  'vgg16',
  'vgg19',
  'resnet50',
  'resnet101',
  'mobilenet_v2',
  'efficientnet_b0',
  'efficientnet_b1',
  'efficientnet_b2',
  'efficientnet_b3',
  'efficientnet_v2_b0',
  'efficientnet_v2_b1',
  'efficientnet_v2_b2',
  'efficientnet_v2_b3',
  'inception_v3',
  'densenet121',
  'convnext_tiny',
  'davit_t',
  'davit_s',
  'davit_b',
  'mobilenet_v2_nsfwjs',
];

before(async () => {
  await initBackend();
});

describe('pretrained weights declared in the family files', () => {
  it('every family with published weights declares URL, file, checksum or why none, layout, top, preprocessing, top-1, license', () => {
    const declared = listModels()
      .filter((m) => m.pretrained?.length)
      .map((m) => m.name);
    for (const name of WITH_WEIGHTS) assert.ok(declared.includes(name), `${name} declares no weights`);
    for (const name of WITH_WEIGHTS) {
      const spec = getModel(name);
      for (const w of spec.pretrained!) {
        assert.match(w.url, /^https:\/\//, name);
        if (w.layout !== 'tfjs-bundled') assert.equal(w.url.split('/').pop(), w.fileName, name);
        if (w.checksum) {
          assert.match(
            w.checksum.digest,
            w.checksum.algorithm === 'md5' ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{64}$/,
          );
        } else {
          assert.ok(w.checksumNote && w.checksumNote.length > 20, `${name} must say why it has no checksum`);
        }
        assert.equal(w.preprocessing, spec.preprocessing, name);
        assert.ok(w.license.length > 3 && w.origin.length > 3, name);
        if (w.layout !== 'tfjs-bundled') assert.ok(w.top1 !== null && w.top1 > 70 && w.top1 < 90, name);
        assert.ok(w.top1Source.length > 5, name);
      }
    }
  });

  it('download sizes are the float32 size of the parameters each file holds', () => {
    for (const name of WITH_WEIGHTS) {
      const w = getModel(name).pretrained![0];
      if (w.layout === 'tfjs-bundled') {
        assert.equal(w.downloadMB, 0);
        continue;
      }
      const model = buildModel(name, { classes: w.includeTop ? 1000 : 0, initializeWeights: false });
      assert.equal(w.downloadMB, float32MB(model.countParams()), name);
      model.dispose();
    }
  });

  it("the download sources are Keras' and keras_cv_attention_models' own, with their published digests", () => {
    // keras/src/applications/inception_v3.py WEIGHTS_PATH_NO_TOP, file_hash "bcbd6486…"
    const inception = pretrainedSource('inception_v3', 'imagenet');
    assert.equal(
      inception.url,
      'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    assert.deepEqual(inception.checksum, { algorithm: 'md5', digest: 'bcbd6486424b2319ff4ef7d526e38f63' });
    // keras/src/applications/convnext.py WEIGHTS_HASHES["convnext_tiny"][1] is a SHA-256.
    assert.equal(pretrainedSource('convnext_tiny', 'imagenet').checksum?.algorithm, 'sha256');
    // keras/src/applications/efficientnet.py: a different bucket, `efficientnetb0_notop.h5`.
    assert.equal(
      pretrainedSource('efficientnet_b0', 'imagenet').url,
      'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
    );
    assert.equal(pretrainedSource('mobilenet_v2', 'imagenet').checksum, null);
    assert.equal(pretrainedSource('davit_s', 'imagenet').layout, 'keras-model');
    assert.throws(
      () => pretrainedSource('mobilenet_v2_nsfwjs', 'imagenet'),
      /Known: mobilenet_v2_nsfwjs:nsfwjs/,
    );
  });
});
