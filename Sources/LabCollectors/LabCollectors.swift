// Module LabCollectors.
