/** Precision, recall, F1 and support of one class, with its one-vs-rest ROC-AUC and PR-AUC (null when undefined). */
export interface ClassMetrics {
  className: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of examples whose true label is this class. */
  support: number;
  /** One-vs-rest ROC-AUC; null when the class is absent from the labels or is the only class present. */
  rocAuc: number | null;
  /** One-vs-rest average precision (PR-AUC); null when the class is absent from the labels. */
  prAuc: number | null;
}

export interface AveragedMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Over the classes whose AUC is defined; null when none is. */
  rocAuc: number | null;
  prAuc: number | null;
}

/** A point of a threshold sweep: predict the positive class when its probability is ≥ `threshold`. */
export interface CurvePoint {
  threshold: number;
  /** ROC: false-positive rate; PR: recall. */
  x: number;
  /** ROC: true-positive rate; PR: precision. */
  y: number;
}

export interface ClassCurves {
  className: string;
  roc: CurvePoint[];
  pr: CurvePoint[];
}

export interface F1Threshold {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

export interface YoudenThreshold {
  threshold: number;
  /** Youden's J = TPR − FPR. */
  j: number;
  tpr: number;
  fpr: number;
}

export interface BinaryThresholds {
  /** The class whose probability the thresholds apply to (index 1, as in Keras' binary label mode). */
  positiveClass: string;
  bestF1: F1Threshold | null;
  youden: YoudenThreshold | null;
  /** Which split the thresholds were chosen on: the validation split when the run has one, so the test split stays unseen. */
  chosenOn?: string;
}

/** Everything `metrics.json` holds: test metrics over one labelled set. */
export interface EvaluationMetrics {
  classNames: string[];
  numExamples: number;
  accuracy: number;
  /** Mean negative log-probability of the true class (probabilities clipped at 1e-15). */
  logLoss: number;
  /** Binary: ROC-AUC of the positive class; more classes: macro one-vs-rest average. */
  rocAuc: number | null;
  /** Binary: average precision of the positive class; more classes: macro one-vs-rest average. */
  prAuc: number | null;
  perClass: ClassMetrics[];
  macro: AveragedMetrics;
  weighted: AveragedMetrics;
  /** Rows: true class; columns: predicted class (argmax, first index on ties). */
  confusionMatrix: number[][];
  /** Only for two classes. */
  thresholds?: BinaryThresholds;
  /** ROC and PR curves, one-vs-rest per class (only the positive class for two classes), at most 1000 points each. */
  curves: ClassCurves[];
}
