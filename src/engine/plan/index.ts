export { describeGraph, type Graph, type GraphResult, type PlanOp } from './graph.js';
export { dropoutMultiplier, dropoutState } from './dropout-mask.js';
export { planTrainingStep, TrainingPlan, type PlanOptions, type PlanResult } from './training-plan.js';
