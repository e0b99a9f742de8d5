/**
 * Whether a target serves the reference stack's `POST /infer` (the OpenAI-compatible routes are assumed):
 * one request with an empty body, which a server with the route refuses as a bad request (400/422) and a
 * server without it answers 404 or 405. Unreachable or unclear answers count as "no", so the run falls back
 * to the OpenAI routes every compatible server has. One request, loopback targets only (the caller checks).
 */
export async function servesInfer(target: string, apiKey?: string, timeoutMs = 3_000): Promise<boolean> {
  try {
    const response = await fetch(`${target}/infer`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status !== 404 && response.status !== 405 && response.status < 500;
  } catch {
    return false;
  }
}
