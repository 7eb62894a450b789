/** The 27 NIST StRD nonlinear models written as nlsq expressions (shared by the expression and backend suites). */

const GAUSS = 'b1*exp(-b2*x) + b3*exp(-(x - b4)^2/b5^2) + b6*exp(-(x - b7)^2/b8^2)';
const LANCZOS = 'b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)';
const RATIONAL33 = '(b1 + b2*x + b3*x^2 + b4*x^3)/(1 + b5*x + b6*x^2 + b7*x^3)';

/** The 27 models as expressions (from each file's "Model:" section). */
export const EXPRESSIONS: Readonly<Record<string, string>> = {
  Misra1a: 'b1*(1 - exp(-b2*x))',
  Chwirut1: 'exp(-b1*x)/(b2 + b3*x)',
  Chwirut2: 'exp(-b1*x)/(b2 + b3*x)',
  Lanczos1: LANCZOS,
  Lanczos2: LANCZOS,
  Lanczos3: LANCZOS,
  Gauss1: GAUSS,
  Gauss2: GAUSS,
  Gauss3: GAUSS,
  DanWood: 'b1*x^b2',
  Misra1b: 'b1*(1 - (1 + b2*x/2)^(-2))',
  Kirby2: '(b1 + b2*x + b3*x^2)/(1 + b4*x + b5*x^2)',
  Hahn1: RATIONAL33,
  Thurber: RATIONAL33,
  Nelson: 'b1 - b2*x1*exp(-b3*x2)',
  MGH17: 'b1 + b2*exp(-x*b4) + b3*exp(-x*b5)',
  Misra1c: 'b1*(1 - (1 + 2*b2*x)^(-0.5))',
  Misra1d: 'b1*b2*x/(1 + b2*x)',
  Roszman1: 'b1 - b2*x - atan(b3/(x - b4))/pi',
  ENSO: 'b1 + b2*cos(2*pi*x/12) + b3*sin(2*pi*x/12) + b5*cos(2*pi*x/b4) + b6*sin(2*pi*x/b4) + b8*cos(2*pi*x/b7) + b9*sin(2*pi*x/b7)',
  MGH09: 'b1*(x^2 + x*b2)/(x^2 + x*b3 + b4)',
  BoxBOD: 'b1*(1 - exp(-b2*x))',
  Rat42: 'b1/(1 + exp(b2 - b3*x))',
  MGH10: 'b1*exp(b2/(x + b3))',
  Eckerle4: 'b1/b2*exp(-0.5*((x - b3)/b2)^2)',
  Rat43: 'b1/(1 + exp(b2 - b3*x))^(1/b4)',
  Bennett5: 'b1*(b2 + x)^(-1/b3)',
};
