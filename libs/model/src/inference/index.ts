export { InferenceEngine, inferenceSupported, type EngineInputs } from './inference-engine';
export { readInferenceWeights, type InferenceWeights } from './inference-weights';
export { LeanPredictor, type LeanPredictorOptions } from './lean-predictor';
