// The simulated agent used by the link and load tests passes the AgentControl contract the real agent must pass.
import { agentControlContract } from './contracts/agent-control.contract.ts';
import { SimulatedAgentControl } from './fixtures/sim-control.ts';

agentControlContract('simulated agent', async () => ({ control: new SimulatedAgentControl(), deviceId: 'sim-1' }));
