/** Subscribers receive every like; the @aws_cognito_user_pools directive is the only gate. */
export function request() {
  return { payload: null };
}

export function response() {
  return null;
}
