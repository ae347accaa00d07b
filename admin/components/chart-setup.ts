// chart.js is tree-shaken: register what the console's charts use, once.
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  BarElement,
  Title,
} from 'chart.js';

Chart.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Filler, Legend, Tooltip, Title);

export const PALETTE = ['#3040D6', '#E0614A', '#2E9E5B', '#B8860B', '#8E44AD', '#16A2B8', '#6C757D'];
