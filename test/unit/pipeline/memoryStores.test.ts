import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { describeDestinationIndexContract } from "../../support/pipeline/destinationContract.js";
import {
  describeJobStoreContract,
  describeThrottleStoreContract,
} from "../../support/pipeline/storeContract.js";

describeJobStoreContract("memory", async () => new MemoryJobStore());
describeThrottleStoreContract("memory", async () => new MemoryThrottleStore());
describeDestinationIndexContract("memory", async () => new MemoryDestinationIndex());
