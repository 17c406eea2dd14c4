import { DEFAULT_MODEL_ARGS, TINY_MODEL_ARGS } from '../patch-model.config';
import { trainFlopsPerSeries } from './train-flops';

describe('trainFlopsPerSeries', () => {
  it('counts the default model by hand: 3 × forward of the loss path − the data-input gradients', () => {
    // t = 32 tokens, d = 128, FFN 512, 3 layers, head 4096 -> 576, patch input 2·16 = 32 wide.
    const t = 32;
    const d = 128;
    const embed = 2 * t * (32 * d) * 2 + 2 * t * d * d;
    const block = 2 * t * 4 * d * d + 2 * t * 2 * d * 512 + 2 * 2 * t * t * d;
    const head = 2 * t * d * 576;
    const backward = 2 * (2 * t * d * d + 3 * block + head) + 2 * t * (32 * d) * 2;
    expect(trainFlopsPerSeries(DEFAULT_MODEL_ARGS)).toBe(embed + 3 * block + head + backward);
    expect(trainFlopsPerSeries(DEFAULT_MODEL_ARGS)).toBe(136_314_880);
  });

  it('is below 3 × the forward count of any config', () => {
    const c = TINY_MODEL_ARGS;
    const t = c.contextLength / c.patchLength;
    const forwardLoss =
      2 * t * (2 * c.patchLength * c.dModel * 2 + c.dModel * c.dModel) +
      c.numLayers *
        (2 * t * (4 * c.dModel * c.dModel + 2 * c.dModel * c.ffnDim) + 4 * t * t * c.dModel) +
      2 * t * c.dModel * c.horizon * c.quantiles.length;
    expect(trainFlopsPerSeries(c)).toBe(3 * forwardLoss - 2 * 2 * t * 2 * c.patchLength * c.dModel);
  });
});
