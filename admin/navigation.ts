// Leaf module: resources import these, and nothing here imports a resource (no import cycle).
export const Navigation = {
  data: { name: 'Data', icon: 'Database' },
  models: { name: 'Models', icon: 'Cpu' },
  operations: { name: 'Operations', icon: 'Activity' },
  audit: { name: 'Audit', icon: 'Shield' },
  access: { name: 'Access', icon: 'Key' },
} as const;
