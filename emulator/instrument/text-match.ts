import type { TextMatch } from '../../hil/rule-spec.js';

// Matching a text by equality or by a regular expression: what rules and journal queries share.

/** A text matcher; a pattern that is not a valid regular expression throws RangeError (a 400 on the API). */
export function textMatcher(m: TextMatch): (v: string) => boolean {
  if (typeof m === 'string') return (v) => v === m;
  let re: RegExp;
  try {
    re = new RegExp(m.pattern);
  } catch (e) {
    throw new RangeError(`pattern ${JSON.stringify(m.pattern)} is not a regular expression: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return (v) => re.test(v);
}
