// Starts GOV.UK Frontend's components. Every page works without this:
// JavaScript only enhances (the menu toggle, error summary focus).
import { initAll } from './govuk-frontend.min.js';

initAll();
