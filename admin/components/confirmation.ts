/**
 * What a confirmation page says, sent by the action's GET: the exact change as its title ("Roll
 * production back from v3 to v2"), what follows from it, the button's words, and `problem` when the
 * action cannot be done now (the button is then not offered).
 */
export interface Confirmation {
  title: string;
  body: string;
  button: string;
  problem?: string;
}
