"""The training pipeline: the Step Functions definition in `infra/statemachine`, run locally."""
