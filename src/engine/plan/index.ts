export { describeChain, type Chain, type ChainOp, type ChainResult } from './chain.js';
export { dropoutMultiplier, dropoutState } from './dropout-mask.js';
export { planTrainingStep, TrainingPlan, type PlanOptions, type PlanResult } from './training-plan.js';
