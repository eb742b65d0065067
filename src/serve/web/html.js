import { h } from 'preact';
import htm from 'htm';

/** JSX-like tagged templates for Preact, without a compile step. */
export const html = htm.bind(h);
