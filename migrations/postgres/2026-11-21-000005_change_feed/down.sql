DROP TABLE change_horizon;
DROP TABLE changes;
