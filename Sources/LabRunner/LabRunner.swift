// Module LabRunner.
