import type { PatchModelConfig } from '../patch-model.config';
import { weight, type InferenceWeights } from './inference-weights';
import { GEMM_ACCUMULATE, GEMM_RELU, WasmArena, type ArenaKernels } from './wasm-arena';

/** Tokenized inputs of B series, as the tokenizer lays them out: [B, contextLength] each. */
export interface EngineInputs {
  readonly batch: number;
  readonly values: Float32Array;
  readonly mask: Float32Array;
  readonly signalIds: ArrayLike<number>;
}

/** 2·sqrt(2/π) and 2·sqrt(2/π)·0.044715: tanh-GELU = x·σ(x·(C1 + C2·x²)), as in layers/ops.ts. */
const GELU_C1 = 1.5957691216057308;
const GELU_C2 = 0.07135481627159869;
/** Added to the attention scores of fully padded tokens, as in PatchModel. */
const MASKED_SCORE = -1e9;
const LN_EPS = 1e-5;
/** Rows of the quantile-head kernel per GEMM call for batches (see quantileHead). */
const HEAD_K_SLICE = 256;

/**
 * True if the lean engine handles this configuration: its kernels need 8-wide column blocks
 * (tokens, head width, model width, FFN width) and a 4-wide quantile-head output.
 */
export function inferenceSupported(c: PatchModelConfig): boolean {
  const tokens = c.contextLength / c.patchLength;
  const headDim = c.dModel / c.numHeads;
  return (
    Number.isInteger(tokens) &&
    tokens % 8 === 0 &&
    Number.isInteger(headDim) &&
    headDim % 8 === 0 &&
    c.dModel % 8 === 0 &&
    c.ffnDim % 8 === 0 &&
    (c.horizon * c.quantiles.length) % 4 === 0
  );
}

interface BlockWeights {
  readonly norm1: [number, number];
  readonly qkv: [number, number];
  readonly out: [number, number];
  readonly norm2: [number, number];
  readonly ffnIn: [number, number];
  readonly ffnOut: [number, number];
}

const ceil4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * The PatchModel's quantile forecast without tfjs: the weights are copied once into a
 * WebAssembly memory the engine owns and the forward pass is a fixed sequence of SIMD kernel
 * calls (inference-kernels.wat: GEMMs with the bias, relu or residual add fused in, query/key/value
 * as one GEMM, a streaming GEMV for the flattened head of one series, softmax with the key mask,
 * forward-only GELU; the layer-norm kernel of simd-kernels.wat). Attention runs per series and
 * head; the patch layout and the signal/position embeddings are plain JS. Equal to
 * `PatchModel.predictQuantiles` up to float32 rounding (summation order, exp approximation).
 * Up to `maxBatch` series run per pass; more are processed in chunks.
 */
export class InferenceEngine {
  readonly config: PatchModelConfig;
  readonly maxBatch: number;
  private readonly k: ArenaKernels;
  private readonly f32: Float32Array;
  private readonly tokens: number;
  private readonly d: number;
  private readonly hidden: number;
  private readonly inWidth: number;
  private readonly headDim: number;
  private readonly outWidth: number;
  private readonly signalTable: Float32Array;
  private readonly positions: Float32Array;
  private readonly embedHidden: [number, number];
  private readonly embedOut: [number, number];
  private readonly blocks: BlockWeights[] = [];
  private readonly finalNorm: [number, number];
  private readonly head: [number, number];
  private readonly zeros: number;
  // Activations for up to maxBatch series.
  private readonly patchIn: number;
  private readonly x: number;
  private readonly ln: number;
  private readonly xhat: number;
  private readonly rstd: number;
  private readonly qkv: number;
  private readonly keyT: number;
  private readonly scores: number;
  private readonly ctx: number;
  private readonly ffn: number;
  private readonly out: number;
  private readonly keyBias: number;

  constructor(weights: InferenceWeights, maxBatch = 64) {
    const c = weights.config;
    if (!inferenceSupported(c)) throw new Error('InferenceEngine: unsupported model shape');
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new Error(`InferenceEngine: maxBatch must be a positive integer, got ${maxBatch}`);
    }
    this.config = c;
    this.maxBatch = maxBatch;
    const t = (this.tokens = c.contextLength / c.patchLength);
    const d = (this.d = c.dModel);
    const p2 = 2 * c.patchLength;
    const hid = (this.hidden = weights.tensors['patchEmbedding.hidden.bias']?.length ?? d);
    if (hid % 8 !== 0) throw new Error('InferenceEngine: patch-embedding width must be % 8');
    this.inWidth = hid + p2;
    this.headDim = d / c.numHeads;
    this.outWidth = c.horizon * c.quantiles.length;
    const w = (name: string, size: number): Float32Array => weight(weights, name, size);
    this.signalTable = Float32Array.from(w('signalTable', c.numSignals * d));
    this.positions = Float32Array.from(w('positions', t * d));

    const arena = new WasmArena();
    this.k = arena.kernels;
    const pair = (prefix: string, rows: number, cols: number): [number, number] => [
      arena.store(w(`${prefix}.kernel`, rows * cols)),
      arena.store(w(`${prefix}.bias`, cols)),
    ];
    const norm = (prefix: string): [number, number] => [
      arena.store(w(`${prefix}.gamma`, d)),
      arena.store(w(`${prefix}.beta`, d)),
    ];
    this.embedHidden = pair('patchEmbedding.hidden', p2, hid);
    // out(h) + residual(p) as one product: [h | p]·[W_out; W_res] + (b_out + b_res).
    const cat = new Float32Array(this.inWidth * d);
    cat.set(w('patchEmbedding.out.kernel', hid * d));
    cat.set(w('patchEmbedding.residual.kernel', p2 * d), hid * d);
    const outBias = w('patchEmbedding.out.bias', d);
    const resBias = w('patchEmbedding.residual.bias', d);
    this.embedOut = [arena.store(cat), arena.store(outBias.map((v, i) => v + resBias[i]))];
    const scale = 1 / Math.sqrt(this.headDim);
    for (let l = 0; l < c.numLayers; l++) {
      const b = `blocks.${l}`;
      const a = `${b}.attention`;
      // Query, key and value as one [d, 3d] product; the query's 1/sqrt(dh) folded in.
      const qkv = new Float32Array(d * 3 * d);
      const qkvBias = new Float32Array(3 * d);
      ['query', 'key', 'value'].forEach((name, part) => {
        const kernel = w(`${a}.${name}.kernel`, d * d);
        const bias = w(`${a}.${name}.bias`, d);
        const s = part === 0 ? scale : 1;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) qkv[i * 3 * d + part * d + j] = kernel[i * d + j] * s;
        }
        for (let j = 0; j < d; j++) qkvBias[part * d + j] = bias[j] * s;
      });
      this.blocks.push({
        ffnIn: pair(`${b}.ffnIn`, d, c.ffnDim),
        ffnOut: pair(`${b}.ffnOut`, c.ffnDim, d),
        norm1: norm(`${b}.norm1`),
        norm2: norm(`${b}.norm2`),
        out: pair(`${a}.output`, d, d),
        qkv: [arena.store(qkv), arena.store(qkvBias)],
      });
    }
    this.finalNorm = norm('finalNorm');
    this.head = pair('quantileHead', t * d, this.outWidth);
    this.zeros = arena.alloc(Math.max(t, this.headDim, this.outWidth));

    const rows = maxBatch * t;
    const padded = ceil4(maxBatch) * t;
    this.patchIn = arena.alloc(rows * this.inWidth);
    this.x = arena.alloc(rows * d);
    this.ln = arena.alloc(padded * d);
    this.xhat = arena.alloc(padded * d);
    this.rstd = arena.alloc(padded);
    this.qkv = arena.alloc(rows * 3 * d);
    this.keyT = arena.alloc(d * t);
    this.scores = arena.alloc(c.numHeads * t * t);
    this.ctx = arena.alloc(rows * d);
    this.ffn = arena.alloc(rows * c.ffnDim);
    this.out = arena.alloc(ceil4(maxBatch) * this.outWidth);
    this.keyBias = arena.alloc(maxBatch * t);
    this.f32 = arena.seal();
  }

  /** Quantiles in normalised units, [B, horizon, numQuantiles] row-major. */
  forward(inputs: EngineInputs): Float32Array {
    const c = this.config;
    const { batch } = inputs;
    if (
      inputs.values.length !== batch * c.contextLength ||
      inputs.mask.length !== batch * c.contextLength ||
      inputs.signalIds.length !== batch
    ) {
      throw new Error(`InferenceEngine: inputs do not match batch ${batch}`);
    }
    for (let b = 0; b < batch; b++) {
      const id = inputs.signalIds[b];
      if (!Number.isInteger(id) || id < 0 || id >= c.numSignals) {
        throw new Error(`InferenceEngine: signal id ${id} outside [0, ${c.numSignals})`);
      }
    }
    const result = new Float32Array(batch * this.outWidth);
    for (let b0 = 0; b0 < batch; b0 += this.maxBatch) {
      const nb = Math.min(this.maxBatch, batch - b0);
      this.embed(inputs, b0, nb);
      for (const block of this.blocks) this.block(block, nb);
      this.quantileHead(nb);
      const o = this.out / 4;
      result.set(this.f32.subarray(o, o + nb * this.outWidth), b0 * this.outWidth);
    }
    return result;
  }

  /** Patch embedding + signal embedding + positions into x [nb·T, d]. */
  private embed(inputs: EngineInputs, b0: number, nb: number): void {
    const { f32, k, tokens: t, d, inWidth, hidden } = this;
    const c = this.config;
    const p = c.patchLength;
    const rows = nb * t;
    for (let b = 0; b < nb; b++) {
      const src = (b0 + b) * c.contextLength;
      for (let tok = 0; tok < t; tok++) {
        const dst = this.patchIn / 4 + (b * t + tok) * inWidth + hidden;
        f32.set(inputs.values.subarray(src + tok * p, src + (tok + 1) * p), dst);
        const mask = inputs.mask.subarray(src + tok * p, src + (tok + 1) * p);
        f32.set(mask, dst + p);
        // Attention key bias: a token without any observation gets MASKED_SCORE.
        f32[this.keyBias / 4 + b * t + tok] = mask.some((v) => v > 0) ? 0 : MASKED_SCORE;
      }
    }
    const [wh, bh] = this.embedHidden;
    k.gemm(
      this.patchIn + 4 * hidden,
      wh,
      this.patchIn,
      bh,
      rows,
      hidden,
      2 * p,
      inWidth,
      hidden,
      inWidth,
      GEMM_RELU,
    );
    const [wo, bo] = this.embedOut;
    k.gemm(this.patchIn, wo, this.x, bo, rows, d, inWidth, inWidth, d, d, 0);
    const x = this.x / 4;
    for (let b = 0; b < nb; b++) {
      const sig = inputs.signalIds[b0 + b] * d;
      for (let tok = 0; tok < t; tok++) {
        const r = x + (b * t + tok) * d;
        for (let j = 0; j < d; j++) {
          f32[r + j] =
            Math.fround(f32[r + j] + this.signalTable[sig + j]) + this.positions[tok * d + j];
        }
      }
    }
  }

  private layerNorm([gamma, beta]: [number, number], rows: number): void {
    this.k.layernorm(this.x, gamma, beta, this.ln, this.xhat, this.rstd, rows, this.d, LN_EPS);
  }

  /** x += attention(LN1(x)); x += FFN(LN2(x)). */
  private block(bw: BlockWeights, nb: number): void {
    const { k, tokens: t, d } = this;
    const f = this.config.ffnDim;
    const rows = nb * t;
    this.layerNorm(bw.norm1, rows);
    k.gemm(this.ln, bw.qkv[0], this.qkv, bw.qkv[1], rows, 3 * d, d, d, 3 * d, 3 * d, 0);
    for (let b = 0; b < nb; b++) this.attention(b);
    k.gemm(this.ctx, bw.out[0], this.x, bw.out[1], rows, d, d, d, d, d, GEMM_ACCUMULATE);
    this.layerNorm(bw.norm2, rows);
    k.gemm(this.ln, bw.ffnIn[0], this.ffn, bw.ffnIn[1], rows, f, d, d, f, f, 0);
    k.gelu(this.ffn, rows * f, GELU_C1, GELU_C2);
    k.gemm(this.ffn, bw.ffnOut[0], this.x, bw.ffnOut[1], rows, d, f, f, d, d, GEMM_ACCUMULATE);
  }

  /** Multi-head self-attention of series b: qkv rows → ctx rows. */
  private attention(b: number): void {
    const { k, tokens: t, d, headDim: dh } = this;
    const heads = this.config.numHeads;
    const w3 = 3 * d;
    const qkvByte = this.qkv + 4 * b * t * w3;
    // Keys transposed ([d, T]: head h is rows h·dh…) so that scores = q_h·k_hᵀ is a plain GEMM.
    k.transpose(qkvByte + 4 * d, this.keyT, t, d, w3, t);
    for (let h = 0; h < heads; h++) {
      k.gemm(
        qkvByte + 4 * h * dh,
        this.keyT + 4 * h * dh * t,
        this.scores + 4 * h * t * t,
        this.zeros,
        t,
        t,
        dh,
        w3,
        t,
        t,
        0,
      );
    }
    k.softmax(this.scores, this.keyBias + 4 * b * t, heads * t, t);
    for (let h = 0; h < heads; h++) {
      k.gemm(
        this.scores + 4 * h * t * t,
        qkvByte + 4 * (2 * d + h * dh),
        this.ctx + 4 * (b * t * d + h * dh),
        this.zeros,
        t,
        dh,
        t,
        t,
        w3,
        d,
        0,
      );
    }
  }

  /** Final layer norm, flatten, and the quantile head into out [nb, horizon·Q]. */
  private quantileHead(nb: number): void {
    const { k, tokens: t, d, outWidth: n } = this;
    this.layerNorm(this.finalNorm, nb * t);
    const [w, bias] = this.head;
    if (nb < 4 || n % 8 !== 0) {
      for (let b = 0; b < nb; b++) {
        k.gemv(this.ln + 4 * b * t * d, w, this.out + 4 * b * n, bias, n, t * d, n);
      }
    } else {
      // Over the long flattened axis in slices of HEAD_K_SLICE rows of W, accumulated: each
      // 8-column strip of the slice stays in L1 while all rows pass (≈1.7× faster at batch 64).
      const m = ceil4(nb);
      for (let k0 = 0; k0 < t * d; k0 += HEAD_K_SLICE) {
        const kk = Math.min(HEAD_K_SLICE, t * d - k0);
        const first = k0 === 0;
        k.gemm(
          this.ln + 4 * k0,
          w + 4 * k0 * n,
          this.out,
          first ? bias : this.zeros,
          m,
          n,
          kk,
          t * d,
          n,
          n,
          first ? 0 : GEMM_ACCUMULATE,
        );
      }
    }
  }
}
