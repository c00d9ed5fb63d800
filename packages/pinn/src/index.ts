/**
 * @pinnate/pinn — physics-informed neural networks: problems from PDE strings or TypeScript
 * residuals, conditions (Dirichlet, Neumann, Robin, periodic, initial, observations, operator),
 * hard constraints, inverse coefficients, manufactured solutions, training aids and evaluation.
 */

export { grid, linspace, relL2, saveArrays } from './evaluate.ts';
export {
  type Ast,
  type CompiledExpression,
  compileExpression,
  type DerivativeRef,
  ExpressionError,
  evalFloat64,
  evalJet,
  evalTensor,
  FUNCTIONS,
  parseExpression,
  type SymbolTable,
  substituteExact,
} from './expr.ts';
export * from './hardconstraint/index.ts';
export * from './lpinn/index.ts';
export { type CoefficientVariable, distanceExpression, type OutputTransform, PinnModel } from './model.ts';
export * from './pig/index.ts';
export { Pinn, type PinnOptions } from './pinn.ts';
export {
  type Condition,
  column,
  dirichlet,
  type Equation,
  type FieldView,
  initial,
  type ManufacturedConfig,
  manufactured,
  neumann,
  observations,
  operator,
  type ParameterSpec,
  type PdeSpec,
  Problem,
  type ProblemConfig,
  periodic,
  type ResidualContext,
  type ResidualFunction,
  robin,
  type Value,
  type Where,
} from './problem.ts';
