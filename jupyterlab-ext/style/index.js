import './base.css';
import './workspace.css';
import './training.css';
