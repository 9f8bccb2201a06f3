// Module LabTraffic.
