// What makes an encoder or decoder spec usable at a given population size and step length, as issues with paths.
import { HasnError, type Issue } from '../errors.ts';
import type { Decoder, Encoder } from '../spec/schema.ts';

/** Steps in a window: window_ms / dt_ms rounded to the nearest whole step (a window holds whole steps only). */
export function windowSteps(window_ms: number, dt_ms: number): number {
  return Math.max(1, Math.round(window_ms / dt_ms));
}

function sizeIssues(size: number, path: string): Issue[] {
  if (Number.isSafeInteger(size) && size > 0) return [];
  return [{ code: 'E_CODEC_SIZE', path, message: `population size must be a positive integer, got ${size}` }];
}

function dtIssues(dt_ms: number, path: string): Issue[] {
  if (Number.isFinite(dt_ms) && dt_ms > 0) return [];
  return [{ code: 'E_CODEC_DT', path, message: `dt_ms must be a positive number, got ${dt_ms}` }];
}

function rangeIssues(min: number, max: number, path: string): Issue[] {
  if (Number.isFinite(min) && Number.isFinite(max) && max > min) return [];
  return [{ code: 'E_CODEC_RANGE', path: `${path}.max`, message: `max (${max}) must be a finite number above min (${min})` }];
}

function windowIssues(window_ms: number, dt_ms: number, path: string): Issue[] {
  if (window_ms >= dt_ms) return [];
  return [{
    code: 'E_CODEC_WINDOW',
    path: `${path}.window_ms`,
    message: `window_ms (${window_ms}) is shorter than one step (dt_ms ${dt_ms}); make it at least ${dt_ms}`,
  }];
}

function rateIssues(max_rate_hz: number, dt_ms: number, path: string): Issue[] {
  const perStep = (max_rate_hz * dt_ms) / 1000;
  if (perStep <= 1) return [];
  return [{
    code: 'E_CODEC_RATE_ABOVE_STEP',
    path: `${path}.max_rate_hz`,
    message: `max_rate_hz ${max_rate_hz} at dt_ms ${dt_ms} asks for ${perStep} spikes per step but a neuron fires at most once per step; ` +
      `lower max_rate_hz to ≤ ${1000 / dt_ms} or dt_ms to ≤ ${1000 / max_rate_hz}`,
  }];
}

/** Every reason `spec` cannot encode into a population of `size` neurons stepped every `dt_ms`. */
export function encoderIssues(spec: Encoder, size: number, dt_ms: number, path = 'encoder'): Issue[] {
  const issues = [...sizeIssues(size, path), ...dtIssues(dt_ms, path)];
  if (issues.length > 0) return issues;
  switch (spec.type) {
    case 'rate':
      return [...rangeIssues(spec.min, spec.max, path), ...rateIssues(spec.max_rate_hz, dt_ms, path)];
    case 'latency':
      return [...rangeIssues(spec.min, spec.max, path), ...windowIssues(spec.window_ms, dt_ms, path)];
    case 'delta':
      if (size % 2 === 0) return [];
      return [{
        code: 'E_CODEC_DELTA_SIZE',
        path,
        message: `a delta encoder needs an even population size (an up and a down neuron per channel), got ${size}`,
      }];
    case 'population':
      return [...rangeIssues(spec.min, spec.max, path), ...rateIssues(spec.max_rate_hz, dt_ms, path)];
  }
}

/** Every reason `spec` cannot decode a population of `size` neurons stepped every `dt_ms`. */
export function decoderIssues(spec: Decoder, size: number, dt_ms: number, path = 'decoder'): Issue[] {
  const issues = [...sizeIssues(size, path), ...dtIssues(dt_ms, path)];
  if (issues.length > 0) return issues;
  const window = windowIssues(spec.window_ms, dt_ms, path);
  if (spec.type === 'population_vector') return [...window, ...rangeIssues(spec.min, spec.max, path)];
  return window;
}

/** Throws the issues as one HasnError carrying the first issue's code and path, and all of them. */
export function throwIfIssues(issues: Issue[]): void {
  if (issues.length === 0) return;
  const first = issues[0];
  throw new HasnError(first.code, issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), { path: first.path, issues });
}
